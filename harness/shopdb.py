"""Test data written straight into Postgres the way the storefront's checkout writes it, and
the reads the end-to-end assertions need. Every id is fresh, so runs never collide."""

import uuid

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from adapters import inventory_store
from adapters.orders import STATUS_CHANGED_AT
from adapters.sessions import OPEN_SESSION


class ShopDB:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.conn = psycopg.connect(dsn, autocommit=True, row_factory=dict_row)

    def _one(self, sql: str, *params: object) -> dict | None:
        return self.conn.execute(sql, params).fetchone()

    def _all(self, sql: str, *params: object) -> list[dict]:
        return self.conn.execute(sql, params).fetchall()

    def customer(self) -> tuple[str, str]:
        """(user id, email) of a new customer."""
        user_id = str(uuid.uuid4())
        email = f"orderflow-{user_id[:12]}@test.shopstream.dev"
        self.conn.execute(
            "INSERT INTO users (user_id, name, email, password_hash) VALUES (%s, %s, %s, 'x')",
            (user_id, "Orderflow Test", email),
        )
        return user_id, email

    def sign_in(self, user_id: str, ttl_seconds: int) -> uuid.UUID:
        """A new session of the user (for minting access tokens)."""
        session_id = uuid.uuid4()
        self.conn.execute(
            OPEN_SESSION, {"session_id": session_id, "user_id": user_id, "ttl": ttl_seconds}
        )
        return session_id

    def product(self, stocked: int) -> str:
        product_id = f"orderflow-{uuid.uuid4().hex[:16]}"
        self.conn.execute(
            inventory_store.ADD_LEVELS, {"ids": [product_id], "quantities": [stocked]}
        )
        return product_id

    def checkout(self, user_id: str, lines: dict[str, int], hold_seconds: float = 600) -> str:
        """One transaction, as ``inventory_store.hold`` writes it: units held per line
        (conditional), order RESERVED, holds HELD."""
        order_id = str(uuid.uuid4())
        with self.conn.transaction():
            for product_id, quantity in sorted(lines.items()):
                held = self.conn.execute(
                    inventory_store.RESERVE, {"product_id": product_id, "quantity": quantity}
                )
                assert held.rowcount == 1, f"out of stock: {product_id}"
            products = [{"productId": p, "quantity": q, "price": 10} for p, q in lines.items()]
            self.conn.execute(
                "INSERT INTO orders (order_id, user_id, products, total_amount, status)"
                " VALUES (%s, %s, %s, %s, 'RESERVED')",
                (order_id, user_id, Jsonb(products), 10 * sum(lines.values())),
            )
            for product_id, quantity in lines.items():
                self.conn.execute(
                    inventory_store.INSERT_HOLD,
                    {
                        "order_id": order_id,
                        "product_id": product_id,
                        "quantity": quantity,
                        "ttl": hold_seconds,
                    },
                )
        return order_id

    def pay(self, order_id: str, user_id: str, status: str) -> str:
        payment_id = str(uuid.uuid4())
        self.conn.execute(
            "INSERT INTO payments (payment_id, order_id, user_id, idempotency_key, amount,"
            " method, status) SELECT %s, order_id, user_id, %s, total_amount, 'card', %s"
            " FROM orders WHERE order_id = %s AND user_id = %s",
            (payment_id, f"orderflow:{payment_id}", status, order_id, user_id),
        )
        return payment_id

    def set_status(self, order_id: str, status: str) -> None:
        """What an operator's ship/deliver does to the row."""
        self.conn.execute(
            f"UPDATE orders SET status = %s, updated_at = {STATUS_CHANGED_AT} WHERE order_id = %s",
            (status, order_id),
        )

    def order_status(self, order_id: str) -> str:
        return self._one("SELECT status FROM orders WHERE order_id = %s", order_id)["status"]

    def statuses(self, order_ids: list[str]) -> set[str]:
        rows = self._all("SELECT DISTINCT status FROM orders WHERE order_id = ANY(%s)", order_ids)
        return {r["status"] for r in rows}

    def holds(self, order_id: str) -> set[str]:
        rows = self._all("SELECT status FROM reservations WHERE order_id = %s", order_id)
        return {r["status"] for r in rows}

    def stock(self, product_id: str) -> tuple[int, int, int, int]:
        """(available, reserved, sold, stocked)."""
        row = self._one(
            "SELECT available_qty, reserved_qty, sold_qty, stocked_qty FROM inventory"
            " WHERE product_id = %s",
            product_id,
        )
        return tuple(row.values())

    def history(self, order_id: str) -> list[str]:
        rows = self._all(
            "SELECT status FROM order_status_history WHERE order_id = %s ORDER BY changed_at",
            order_id,
        )
        return [r["status"] for r in rows]

    def notifications(self, order_id: str) -> set[str]:
        rows = self._all("SELECT kind FROM notifications WHERE order_id = %s", order_id)
        return {r["kind"] for r in rows}

    def snapshot(self, order_ids: list[str], product_ids: list[str]) -> dict[str, list[dict]]:
        """Every row the order flow writes for these orders and products."""
        return {
            "orders": self._all(
                "SELECT order_id, status, updated_at FROM orders"
                " WHERE order_id = ANY(%s) ORDER BY order_id",
                order_ids,
            ),
            "reservations": self._all(
                "SELECT * FROM reservations WHERE order_id = ANY(%s) ORDER BY order_id, product_id",
                order_ids,
            ),
            "inventory": self._all(
                "SELECT * FROM inventory WHERE product_id = ANY(%s) ORDER BY product_id",
                product_ids,
            ),
            "history": self._all(
                "SELECT * FROM order_status_history WHERE order_id = ANY(%s)"
                " ORDER BY order_id, status",
                order_ids,
            ),
            "notifications": self._all(
                "SELECT * FROM notifications WHERE order_id = ANY(%s) ORDER BY notification_id",
                order_ids,
            ),
        }

    def unconserved(self, product_ids: list[str]) -> list[dict]:
        """Products whose counters disagree with their reservations, or lost stock."""
        return self._all(
            """
            SELECT i.product_id, i.available_qty, i.reserved_qty, i.sold_qty, i.stocked_qty,
                   r.held, r.sold
            FROM inventory i
            LEFT JOIN LATERAL (
                SELECT coalesce(sum(quantity) FILTER (WHERE status = 'HELD'), 0) AS held,
                       coalesce(sum(quantity) FILTER (WHERE status = 'SOLD'), 0) AS sold
                FROM reservations WHERE product_id = i.product_id) r ON true
            WHERE i.product_id = ANY(%s)
              AND (i.stocked_qty <> i.available_qty + i.reserved_qty + i.sold_qty
                   OR i.reserved_qty <> r.held OR i.sold_qty <> r.sold)
            """,
            product_ids,
        )

    def sold_and_released(self, order_ids: list[str]) -> list[str]:
        """Orders with one hold sold and another released: never allowed."""
        rows = self._all(
            "SELECT order_id::text FROM reservations WHERE order_id = ANY(%s) GROUP BY order_id"
            " HAVING bool_or(status = 'SOLD') AND bool_or(status = 'RELEASED')",
            order_ids,
        )
        return [r["order_id"] for r in rows]

    def redemption(self, order_id: str) -> str | None:
        """The status of the order's discount redemption (REDEEMED, RETURNED), if it has one."""
        row = self._one("SELECT status FROM discount_redemptions WHERE order_id = %s", order_id)
        return row and row["status"]

    def redeemed(self, code: str) -> int:
        """The code's live redemptions."""
        return self._one("SELECT redeemed FROM discount_codes WHERE code = %s", code)["redeemed"]
