-- Core relational model. PostgreSQL is the source of truth for users, carts,
-- inventory, reservations, orders and payments (see docs/ARCHITECTURE.md).

CREATE TABLE users (
    user_id       UUID PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'admin')),
    addresses     JSONB NOT NULL DEFAULT '[]'::jsonb,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One open cart per user; lines hold product id and quantity only (prices are live).
CREATE TABLE carts (
    cart_id    UUID PRIMARY KEY,
    user_id    UUID NOT NULL UNIQUE REFERENCES users (user_id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE cart_items (
    cart_id    UUID NOT NULL REFERENCES carts (cart_id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    quantity   INT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (cart_id, product_id)
);

-- Stock conservation: stocked_qty = available_qty + reserved_qty + sold_qty, always.
CREATE TABLE inventory (
    product_id    TEXT PRIMARY KEY,
    available_qty INT NOT NULL CHECK (available_qty >= 0),
    reserved_qty  INT NOT NULL DEFAULT 0 CHECK (reserved_qty >= 0),
    sold_qty      INT NOT NULL DEFAULT 0 CHECK (sold_qty >= 0),
    stocked_qty   INT NOT NULL CHECK (stocked_qty >= 0),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT inventory_conserved CHECK (stocked_qty = available_qty + reserved_qty + sold_qty)
);

CREATE TABLE orders (
    order_id           UUID PRIMARY KEY,
    user_id            UUID NOT NULL REFERENCES users (user_id),
    products           JSONB NOT NULL,  -- [{productId, quantity, price}]
    total_amount       NUMERIC(12, 2) NOT NULL CHECK (total_amount >= 0),
    currency           CHAR(3) NOT NULL DEFAULT 'USD',
    delivery_address   JSONB,
    status             TEXT NOT NULL,
    tracking_number    TEXT,
    estimated_delivery DATE,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX orders_user_created ON orders (user_id, created_at DESC);

-- One hold per order line; released or converted to a sale exactly once.
CREATE TABLE reservations (
    order_id   UUID NOT NULL REFERENCES orders (order_id),
    product_id TEXT NOT NULL REFERENCES inventory (product_id),
    quantity   INT NOT NULL CHECK (quantity > 0),
    status     TEXT NOT NULL DEFAULT 'HELD' CHECK (status IN ('HELD', 'SOLD', 'RELEASED')),
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX reservations_held_expiry ON reservations (expires_at) WHERE status = 'HELD';

CREATE TABLE payments (
    payment_id      UUID PRIMARY KEY,
    order_id        UUID NOT NULL REFERENCES orders (order_id),
    user_id         UUID NOT NULL REFERENCES users (user_id),
    idempotency_key TEXT NOT NULL,
    amount          NUMERIC(12, 2) NOT NULL,
    currency        CHAR(3) NOT NULL DEFAULT 'USD',
    method          TEXT NOT NULL,
    card_last4      TEXT,
    status          TEXT NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'UNKNOWN')),
    transaction_id  TEXT,
    failure_reason  TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (user_id, idempotency_key)
);
-- At most one payment attempt that is not a definitive failure per order: no double charge.
CREATE UNIQUE INDEX payments_one_live_per_order ON payments (order_id) WHERE status <> 'FAILED';

CREATE TABLE order_status_history (
    order_id    UUID NOT NULL REFERENCES orders (order_id),
    status      TEXT NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL,
    source      TEXT NOT NULL,
    PRIMARY KEY (order_id, status)
);

CREATE TABLE notifications (
    notification_id TEXT PRIMARY KEY,  -- deterministic: order id + kind, so redelivery is a no-op
    order_id        UUID NOT NULL REFERENCES orders (order_id),
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    sent_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
