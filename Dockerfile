# One image for every shopstream process (api, gateway, stream workers, dashboard, init):
# docker-compose.yml picks the command. Dependencies come from the same lock file as the
# local .venv, so containers run exactly the tested versions.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN pip install uv==0.13.8

# Dependencies first: this layer is reused until requirements.lock changes.
COPY requirements.lock ./
RUN uv pip install --system --no-cache -r requirements.lock

COPY . .
RUN uv pip install --system --no-cache --no-deps -e . \
    && useradd --create-home --uid 10001 app \
    && chown -R app /app

# Unprivileged; owns /app because the Faust worker keeps its table data in the working dir.
USER app

EXPOSE 8000 8090 6066 6067 8070
CMD ["uvicorn", "api.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
