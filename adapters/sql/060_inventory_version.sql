-- Every committed change of an inventory row gets the next version of that row. The derived
-- copies of stock (Redis mirror, catalog quantity) keep the version they hold and take only a
-- newer one, and the checkout gate knows which version its own reservation produced
-- (domain/inventory.py, adapters/stock_cache.py). A trigger rather than each statement, so an
-- operator's hand-written UPDATE cannot reuse a version with another count.
ALTER TABLE inventory ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE FUNCTION inventory_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER inventory_next_version BEFORE UPDATE ON inventory
    FOR EACH ROW EXECUTE FUNCTION inventory_next_version();
