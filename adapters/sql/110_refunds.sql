-- Refunds of succeeded payments (an order cancelled after it was paid): one per payment, so a
-- repeated cancel finds it and only asks the gateway again (same idempotency key) until it has
-- an answer. Captured by CDC like the payments it refers to.
CREATE TABLE refunds (
    refund_id         UUID PRIMARY KEY,
    order_id          UUID NOT NULL REFERENCES orders (order_id),
    payment_id        UUID NOT NULL UNIQUE REFERENCES payments (payment_id),
    amount            NUMERIC(12, 2) NOT NULL CHECK (amount > 0),
    currency          CHAR(3) NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'UNKNOWN')),
    gateway_refund_id TEXT,
    failure_reason    TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX refunds_order ON refunds (order_id);
