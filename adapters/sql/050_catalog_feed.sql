-- Position of the catalog change feed (streams/catalog_feed.py), saved after Kafka acks.
-- source = "<mongo db>.products": one position per catalog database.

-- The feed clock at the start of the last complete poll; the next poll re-reads from
-- read_until minus the overlap (settings.catalog_feed_overlap_seconds).
CREATE TABLE catalog_feed_checkpoint (
    source     TEXT PRIMARY KEY,
    read_until TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The last document version emitted per product: re-reads emit only newer versions.
CREATE TABLE catalog_feed_versions (
    source     TEXT NOT NULL,
    product_id TEXT NOT NULL,
    version    BIGINT NOT NULL,
    emitted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, product_id)
);
