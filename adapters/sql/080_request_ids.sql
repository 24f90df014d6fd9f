-- The storefront request that created an order or a payment attempt (its X-Request-ID): the
-- CDC records carry it to the stream workers, whose log lines then name it (`shopctl trace`).
ALTER TABLE orders ADD COLUMN request_id TEXT;
ALTER TABLE payments ADD COLUMN request_id TEXT;
