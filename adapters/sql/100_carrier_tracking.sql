-- Carrier tracking (domain/tracking.py, adapters/tracking_store.py). The carrier's webhook finds
-- an order by its tracking number; `carrier_event_at` is the time of the newest carrier event
-- applied, so an older event arriving late cannot move the order back. Every event id is kept
-- once: a redelivered event finds its id taken and changes nothing.
ALTER TABLE orders ADD COLUMN carrier TEXT;
ALTER TABLE orders ADD COLUMN carrier_event_at TIMESTAMPTZ;
CREATE INDEX orders_tracking_number ON orders (tracking_number)
    WHERE tracking_number IS NOT NULL;

CREATE TABLE carrier_events (
    event_id        TEXT PRIMARY KEY,
    tracking_number TEXT NOT NULL,
    order_id        UUID REFERENCES orders (order_id),
    kind            TEXT NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL,
    outcome         TEXT NOT NULL,  -- applied, or why the event changed nothing
    received_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
