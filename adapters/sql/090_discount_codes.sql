-- Discount codes (domain/discounts.py, adapters/discount_store.py). Postgres is the arbiter of
-- every redemption, as it is of every unit of stock: checkout takes one with a conditional
-- increment of `redeemed` under the code's row lock, in the transaction that reserves the stock,
-- and an order that gives its stock back gives its redemption back in the same transaction.
-- The CHECKs turn a bug that would over-redeem into a failed transaction.

CREATE TABLE discount_codes (
    code               TEXT PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{2,31}$'),
    type               TEXT NOT NULL CHECK (type IN ('percentage', 'fixed_amount')),
    value              NUMERIC(12, 2) NOT NULL
                       CHECK (value > 0 AND (type <> 'percentage' OR value < 100)),
    currency           CHAR(3) NOT NULL DEFAULT 'USD',
    min_spend          NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (min_spend >= 0),
    starts_at          TIMESTAMPTZ,
    ends_at            TIMESTAMPTZ,
    per_customer_limit INT CHECK (per_customer_limit > 0),
    redemption_cap     INT CHECK (redemption_cap > 0),
    -- Live redemptions: orders RESERVED or sold with this code.
    redeemed           INT NOT NULL DEFAULT 0 CHECK (redeemed >= 0),
    -- Retired codes apply to no new order and are never reused: orders name them.
    retired_at         TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT discount_codes_window CHECK (starts_at < ends_at),
    CONSTRAINT discount_codes_within_cap CHECK (redeemed <= redemption_cap)
);

-- One redemption per order (one code per order: codes do not stack), given back at most once.
CREATE TABLE discount_redemptions (
    order_id   UUID PRIMARY KEY REFERENCES orders (order_id),
    code       TEXT NOT NULL REFERENCES discount_codes (code),
    user_id    UUID NOT NULL REFERENCES users (user_id),
    amount     NUMERIC(12, 2) NOT NULL CHECK (amount >= 0),
    status     TEXT NOT NULL DEFAULT 'REDEEMED' CHECK (status IN ('REDEEMED', 'RETURNED')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- A customer's live redemptions of a code (the per-customer limit).
CREATE INDEX discount_redemptions_customer
    ON discount_redemptions (code, user_id) WHERE status = 'REDEEMED';

-- The order carries its discount line, so everything downstream of its change records (the
-- confirmation email, order history) shows it; total_amount is what the customer pays.
ALTER TABLE orders
    ADD COLUMN discount_code   TEXT,
    ADD COLUMN discount_amount NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (discount_amount >= 0);
