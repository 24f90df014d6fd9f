# One image for every shopstream process (api, gateway, stream workers, dashboard, init):
# docker-compose.yml picks the command. Dependencies come from requirements.runtime.lock: the
# pins of the local .venv's requirements.lock without the test and lint tools, so containers
# run exactly the tested versions (tests/test_locks.py keeps the two locks in step).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN pip install uv==0.13.8

# Dependencies first: this layer is reused until the lock changes.
COPY requirements.runtime.lock ./
RUN uv pip install --system --no-cache -r requirements.runtime.lock

COPY . .
RUN uv pip install --system --no-cache --no-deps -e . \
    && useradd --create-home --uid 10001 app \
    && chown -R app /app

# Unprivileged; owns /app because the Faust worker keeps its table data in the working dir.
USER app

EXPOSE 8000 8090 6066 6067 8070
CMD ["uvicorn", "api.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
