"""JSON log lines and the trace's reading of them: pure, no engine."""

import io
import json
import logging
import logging.config
from collections.abc import Callable
from datetime import UTC, datetime

from config.logs import bound, current, logging_config, request_id_from
from ops.trace import OrderRows, Step, cdc_step, log_steps, row_steps, timeline

ORDER = "2b1f7f5e-8c1a-4c55-9a51-6f3b8d0f5a10"


def logged_lines(emit: Callable[[logging.Logger], None]) -> list[dict]:
    """What the processes' logging config writes while ``emit`` runs, parsed."""
    config = logging_config("api")
    out = io.StringIO()
    config["handlers"]["stderr"]["stream"] = out
    logging.config.dictConfig(config)
    try:
        emit(logging.getLogger("shop.test"))
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_line_is_json_with_the_bound_fields() -> None:
    def emit(log: logging.Logger) -> None:
        with bound(request_id="req-00000001", order_id=None):
            with bound(order_id=ORDER):
                log.info("order placed: %d lines", 2, extra={"lines": 2})
            log.warning("after")
        log.info("outside")

    placed, after, outside = logged_lines(emit)
    assert placed["message"] == "order placed: 2 lines" and placed["lines"] == 2
    assert placed["request_id"] == "req-00000001" and placed["order_id"] == ORDER
    assert placed["process"] == "api" and placed["level"] == "INFO" and "ts" in placed
    assert after["request_id"] == "req-00000001" and "order_id" not in after
    assert "request_id" not in outside


def test_bound_fields_are_readable_and_restored() -> None:
    assert current("request_id") is None
    with bound(request_id="abc12345"):
        assert current("request_id") == "abc12345"
    assert current("request_id") is None


def test_a_callers_request_id_is_kept_only_when_plausible() -> None:
    assert request_id_from("edge-7f3a9c21") == "edge-7f3a9c21"
    injected = 'a"}\n{"level":"ERROR"'
    for hostile in (None, "", "short", "x" * 65, injected, "id with spaces", "é" * 9):
        made = request_id_from(hostile)
        assert made != hostile and len(made) == 32 and made.isalnum()


def line(**fields: object) -> str:
    return json.dumps({"ts": "2026-12-03T10:00:00.000+00:00", "process": "api", **fields})


def test_the_trace_keeps_the_lines_of_the_order_and_of_its_requests() -> None:
    lines = [
        "faust banner, not json " + ORDER,
        line(message="POST /v1/checkout 201", request_id="req-1"),
        line(message="POST /v1/checkout 201", request_id="req-2"),
        line(message="sent", order_id=ORDER),
        line(message="another order", order_id="x" + ORDER[1:]),
        line(message="names it in text only: " + ORDER),
        '{"ts": "not a time", "order_id": "' + ORDER + '"}',
    ]
    steps = list(log_steps(lines, ORDER, {"req-1"}))
    assert [s.what for s in steps] == ["POST /v1/checkout 201", "sent"]
    assert all(s.source == "log api" for s in steps)


def test_a_cdc_record_is_a_step_at_its_commit_time() -> None:
    value = json.dumps(
        {"op": "u", "after": {"status": "CONFIRMED"}, "source": {"ts_ms": 1000}, "ts_ms": 1042}
    ).encode()
    step = cdc_step("shop.public.orders", value, record_ms=1050)
    assert step == Step(
        datetime.fromtimestamp(1, UTC),
        "kafka shop.public.orders",
        "CDC op=u status=CONFIRMED, captured +42 ms",
    )
    assert cdc_step("t", b"not json", 0) is None and cdc_step("t", None, 0) is None


def test_rows_become_steps_in_time_order() -> None:
    t = [datetime(2026, 12, 3, 10, 0, s, tzinfo=UTC) for s in range(9)]
    rows = OrderRows(
        {"created_at": t[0], "total_amount": 10, "currency": "USD", "request_id": "req-1"},
        [{"payment_id": "p", "created_at": t[1], "updated_at": t[2], "amount": 10,
          "status": "SUCCEEDED", "request_id": "req-2"}],
        [{"changed_at": t[3], "status": "CONFIRMED", "source": "cdc"}],
        [{"sent_at": t[4], "kind": "order_confirmed", "recipient": "a@example.com"}],
        [{"received_at": t[6], "event_id": "e1", "kind": "IN_TRANSIT", "occurred_at": t[5],
          "outcome": "applied"}],
        [{"refund_id": "r", "created_at": t[7], "updated_at": t[8], "amount": 10,
          "status": "SUCCEEDED"}],
    )  # fmt: skip
    assert rows.request_ids == {"req-1", "req-2"}
    steps = timeline(reversed(row_steps(rows)))
    assert [s.at for s in steps] == [*t[:5], *t[6:]]  # a carrier event is placed at its receipt
    assert steps[2].what == "payment p SUCCEEDED"
    assert steps[5].what == "carrier event e1 IN_TRANSIT (at 10:00:05): applied"
    assert steps[-1].what == "refund r SUCCEEDED"
