"""Discount codes on the real engines, through the in-process storefront: the operator's
routes, the cart's preview, checkout redeeming under the code's row lock, the payment of the
discounted total, and the redemption given back by a failed payment or an expired hold."""

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from adapters.connections import Clients
from domain.discounts import DiscountType
from domain.payments import PaymentChange, PaymentStatus
from harness.factories import (
    Shopper,
    create_discount_code,
    create_product,
    create_shopper,
    inventory_of,
    put_in_carts,
    record_payment,
    sql,
    unique_discount_code,
)
from harness.flows import assert_refused, checkout
from ops.polling import eventually
from services.context import Services
from services.settlement import expire_holds, settle_payment
from tests.commerce.test_payment_api import APPROVED, DECLINED, pay, payment_body

PRICE = Decimal("40.00")
CODES = "/v1/admin/discount-codes"


@pytest.fixture
async def admin(clients: Clients) -> Shopper:
    return await create_shopper(clients, role="admin")


async def in_cart(clients: Clients, shopper: Shopper, quantity: int = 2, stock: int = 10) -> str:
    """A new product (at ``PRICE``) in the shopper's cart."""
    product = await create_product(clients, price=PRICE, stock=stock)
    await put_in_carts(clients, [shopper], product, quantity)
    return product


async def code_row(clients: Clients, code: str) -> dict:
    [row] = await sql(clients, "SELECT * FROM discount_codes WHERE code = %s", code)
    return row


async def redemptions(clients: Clients, code: str) -> list[tuple[str, str]]:
    """(order id, status) of the code's redemptions, oldest first."""
    rows = await sql(
        clients,
        "SELECT order_id::text, status FROM discount_redemptions WHERE code = %s"
        " ORDER BY created_at, order_id",
        code,
    )
    return [(row["order_id"], row["status"]) for row in rows]


async def order_row(clients: Clients, order_id: str) -> dict:
    [row] = await sql(clients, "SELECT * FROM orders WHERE order_id = %s", order_id)
    return row


async def preview(api: httpx.AsyncClient, shopper: Shopper, code: str) -> httpx.Response:
    return await api.get("/v1/cart", params={"discountCode": code}, headers=shopper.headers)


# the operator's routes


async def test_an_operator_creates_reads_replaces_and_retires_a_code(
    api: httpx.AsyncClient, clients: Clients, admin: Shopper, shopper: Shopper
) -> None:
    code = unique_discount_code()
    terms = {
        "type": "percentage",
        "value": 15,
        "minSpend": 20,
        "endsAt": "2099-01-01T00:00:00+01:00",
        "perCustomerLimit": 2,
        "redemptionCap": 10,
    }
    created = await api.post(CODES, json={"code": code.lower(), **terms}, headers=admin.headers)

    assert created.status_code == 201, created.text
    view = created.json()
    assert view["code"] == code
    assert (view["type"], view["value"], view["currency"], view["minSpend"]) == (
        "percentage",
        15.0,
        "USD",
        20.0,
    )
    assert datetime.fromisoformat(view["endsAt"]) == datetime(2098, 12, 31, 23, tzinfo=UTC)
    assert (view["redeemed"], view["retiredAt"], view["startsAt"]) == (0, None, None)
    again = await api.post(CODES, json={"code": code, **terms}, headers=admin.headers)
    assert_refused(again, 409, "discount_code_exists")
    read = await api.get(f"{CODES}/{code.lower()}", headers=admin.headers)
    assert read.json() == view

    replaced = await api.put(
        f"{CODES}/{code}",
        json={"type": "fixed_amount", "value": 5, "redemptionCap": 3},
        headers=admin.headers,
    )
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["type"], replaced.json()["value"]) == ("fixed_amount", 5.0)
    assert (replaced.json()["minSpend"], replaced.json()["endsAt"]) == (0.0, None)

    assert (await api.delete(f"{CODES}/{code}", headers=admin.headers)).status_code == 204
    assert (await api.delete(f"{CODES}/{code}", headers=admin.headers)).status_code == 204
    retired = (await api.get(f"{CODES}/{code}", headers=admin.headers)).json()
    assert retired["retiredAt"] is not None
    change = await api.put(
        f"{CODES}/{code}", json={"type": "fixed_amount", "value": 1}, headers=admin.headers
    )
    assert_refused(change, 409, "discount_code_retired")
    revive = await api.post(CODES, json={"code": code, **terms}, headers=admin.headers)
    assert_refused(revive, 409, "discount_code_exists")
    await in_cart(clients, shopper)
    assert_refused(await preview(api, shopper, code), 404, "discount_code_not_found")


async def test_the_list_pages_through_every_code(api: httpx.AsyncClient, admin: Shopper) -> None:
    code = unique_discount_code()
    body = {"code": code, "type": "fixed_amount", "value": 2.5}
    assert (await api.post(CODES, json=body, headers=admin.headers)).status_code == 201
    seen: list[str] = []
    page, pages = 1, 1
    while page <= pages:
        listed = await api.get(CODES, params={"page": page, "size": 100}, headers=admin.headers)
        assert listed.status_code == 200, listed.text
        seen += [c["code"] for c in listed.json()["codes"]]
        pages = listed.json()["pagination"]["totalPages"]
        page += 1
    assert code in seen
    assert seen == sorted(seen)


async def test_codes_are_for_admins_only(api: httpx.AsyncClient, shopper: Shopper) -> None:
    body = {"code": unique_discount_code(), "type": "percentage", "value": 50}
    assert_refused(await api.post(CODES, json=body, headers=shopper.headers), 403, "forbidden")
    assert_refused(await api.post(CODES, json=body), 401, "unauthorized")
    assert_refused(await api.get(CODES, headers=shopper.headers), 403, "forbidden")


async def test_an_unknown_code_is_404_for_the_operator(
    api: httpx.AsyncClient, admin: Shopper
) -> None:
    unknown = f"{CODES}/{unique_discount_code()}"
    body = {"type": "percentage", "value": 5}
    for response in (
        await api.get(unknown, headers=admin.headers),
        await api.put(unknown, json=body, headers=admin.headers),
        await api.delete(unknown, headers=admin.headers),
    ):
        assert_refused(response, 404, "discount_code_not_found")


async def test_the_cap_may_not_drop_below_the_live_redemptions(
    api: httpx.AsyncClient, clients: Clients, admin: Shopper
) -> None:
    code = await create_discount_code(clients, redemption_cap=5)
    for buyer in [await create_shopper(clients) for _ in range(2)]:
        product = await in_cart(clients, buyer, quantity=1)
        placed = await checkout(api, buyer, [(product, 1, PRICE)], discountCode=code)
        assert placed.status_code == 201, placed.text

    lowered = await api.put(
        f"{CODES}/{code}",
        json={"type": "percentage", "value": 10, "redemptionCap": 1},
        headers=admin.headers,
    )

    error = assert_refused(lowered, 409, "cap_below_redemptions")
    assert error["redeemed"] == 2
    kept = await api.put(
        f"{CODES}/{code}",
        json={"type": "percentage", "value": 10, "redemptionCap": 2},
        headers=admin.headers,
    )
    assert kept.status_code == 200, kept.text
    assert (kept.json()["redemptionCap"], kept.json()["redeemed"]) == (2, 2)


# the cart's preview and checkout


async def test_the_cart_shows_the_discount_line_without_redeeming(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    code = await create_discount_code(clients)
    await in_cart(clients, shopper, quantity=2)

    plain = (await api.get("/v1/cart", headers=shopper.headers)).json()
    tried = await preview(api, shopper, code.lower())

    assert (plain["subtotal"], plain["discount"], plain["total"]) == (80.0, None, 80.0)
    assert tried.status_code == 200, tried.text
    assert (tried.json()["subtotal"], tried.json()["total"]) == (80.0, 72.0)
    assert tried.json()["discount"] == {"code": code, "amount": 8.0}
    assert (await code_row(clients, code))["redeemed"] == 0


async def test_checkout_with_a_code_orders_and_charges_the_discounted_total(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    code = await create_discount_code(clients, value=Decimal("12.5"))
    product = await in_cart(clients, shopper, quantity=2)

    placed = await checkout(api, shopper, [(product, 2, PRICE)], discountCode=code.lower())

    assert placed.status_code == 201, placed.text
    order_id = placed.json()["orderId"]
    order = await order_row(clients, order_id)
    assert (order["total_amount"], order["discount_code"], order["discount_amount"]) == (
        Decimal("70.00"),
        code,
        Decimal("10.00"),
    )
    assert await redemptions(clients, code) == [(order_id, "REDEEMED")]
    assert (await code_row(clients, code))["redeemed"] == 1
    [summary] = (await api.get("/v1/orders?size=1", headers=shopper.headers)).json()["orders"]
    assert (summary["totalAmount"], summary["discount"]) == (70.0, {"code": code, "amount": 10.0})

    full_price = await pay(api, shopper, payment_body(order_id, APPROVED, amount=80.0))
    assert_refused(full_price, 409, "amount_mismatch")
    paid = await pay(api, shopper, payment_body(order_id, APPROVED, amount=70.0))
    assert paid.json()["status"] == "success", paid.text
    [payment] = await sql(clients, "SELECT amount FROM payments WHERE order_id = %s", order_id)
    assert payment["amount"] == Decimal("70.00")


async def test_an_order_without_a_code_has_no_discount(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await in_cart(clients, shopper, quantity=1)
    placed = await checkout(api, shopper, [(product, 1, PRICE)])
    order = await order_row(clients, placed.json()["orderId"])
    assert (order["total_amount"], order["discount_code"], order["discount_amount"]) == (
        PRICE,
        None,
        Decimal("0.00"),
    )


LATER = datetime.now(UTC) + timedelta(days=30)
EARLIER = datetime.now(UTC) - timedelta(days=1)


@pytest.mark.parametrize(
    ("terms", "reason", "detail"),
    [
        ({"ends_at": EARLIER}, "expired", {}),
        ({"currency": "EUR"}, "currency_mismatch", {"currency": "EUR"}),
        (
            {"min_spend": Decimal("80.01")},
            "below_minimum_spend",
            {"minSpend": 80.01, "subtotal": 80.0},
        ),
    ],
)
async def test_a_code_that_does_not_apply_is_409_with_its_reason(
    api: httpx.AsyncClient,
    clients: Clients,
    shopper: Shopper,
    terms: dict,
    reason: str,
    detail: dict,
) -> None:
    code = await create_discount_code(clients, **terms)
    product = await in_cart(clients, shopper, quantity=2)

    for response in (
        await preview(api, shopper, code),
        await checkout(api, shopper, [(product, 2, PRICE)], discountCode=code),
    ):
        error = assert_refused(response, 409, "discount_not_applicable")
        assert error == {**error, "reason": reason, "discountCode": code, **detail}
        assert "endsAt" not in error and str(EARLIER.year) not in error["message"]
    assert (await code_row(clients, code))["redeemed"] == 0
    assert (await inventory_of(clients, product))["reserved_qty"] == 0
    cart = (await api.get("/v1/cart", headers=shopper.headers)).json()
    assert [line["productId"] for line in cart["lines"]] == [product]


async def test_a_used_up_code_is_409_and_leaves_stock_alone(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, other_shopper: Shopper
) -> None:
    code = await create_discount_code(clients, redemption_cap=1)
    first = await in_cart(clients, other_shopper, quantity=1)
    assert (await checkout(api, other_shopper, [(first, 1, PRICE)], discountCode=code)).is_success
    product = await in_cart(clients, shopper, quantity=1)

    refused = await checkout(api, shopper, [(product, 1, PRICE)], discountCode=code)

    assert assert_refused(refused, 409, "discount_not_applicable")["reason"] == "used_up"
    assert (await code_row(clients, code))["redeemed"] == 1
    assert (await inventory_of(clients, product))["reserved_qty"] == 0


async def test_an_unknown_code_is_404(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await in_cart(clients, shopper, quantity=1)
    unknown = unique_discount_code()
    assert_refused(await preview(api, shopper, unknown), 404, "discount_code_not_found")
    response = await checkout(api, shopper, [(product, 1, PRICE)], discountCode=unknown)
    assert_refused(response, 404, "discount_code_not_found")
    assert (await inventory_of(clients, product))["reserved_qty"] == 0


async def test_unknown_retired_and_unreleased_codes_answer_shoppers_alike(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, admin: Shopper
) -> None:
    """Same status, code, message and fields, no date: guessing tells a stranger nothing of
    an unreleased code or a retired one. The operator still sees the code and its start."""
    unreleased = await create_discount_code(clients, starts_at=LATER)
    retired = await create_discount_code(clients)
    assert (await api.delete(f"{CODES}/{retired}", headers=admin.headers)).status_code == 204
    unknown = unique_discount_code()
    product = await in_cart(clients, shopper, quantity=1)

    answers = set()
    for code in (unknown, retired, unreleased):
        for response in (
            await preview(api, shopper, code),
            await checkout(api, shopper, [(product, 1, PRICE)], discountCode=code),
        ):
            assert_refused(response, 404, "discount_code_not_found")
            answers.add(response.text.replace(code, "<code>"))
            assert str(LATER.year) not in response.text
    assert len(answers) == 1, answers
    assert (await inventory_of(clients, product))["reserved_qty"] == 0
    seen = (await api.get(f"{CODES}/{unreleased}", headers=admin.headers)).json()
    assert datetime.fromisoformat(seen["startsAt"]) == LATER


async def test_a_stranger_guessing_codes_runs_out_of_lookups(
    api: httpx.AsyncClient,
    clients: Clients,
    shopper: Shopper,
    other_shopper: Shopper,
    services: Services,
) -> None:
    """Codes that do not exist for the shopper (unknown, expired here) spend the budget; a
    running code costs nothing; past the budget every lookup is 429, a right guess too."""
    budget = services.settings.discount_lookup_failures
    running = await create_discount_code(clients)
    expired = await create_discount_code(clients, ends_at=EARLIER)
    await in_cart(clients, shopper, quantity=1)
    for _ in range(budget + 2):
        assert (await preview(api, shopper, running)).status_code == 200
    guesses = [expired, *(unique_discount_code() for _ in range(budget - 1))]
    assert {(await preview(api, shopper, guess)).status_code for guess in guesses} == {404, 409}

    for code in (unique_discount_code(), running):
        throttled = await preview(api, shopper, code)
        assert_refused(throttled, 429, "discount_lookups_throttled")
        window = services.settings.discount_lookup_window_seconds
        assert 1 <= int(throttled.headers["Retry-After"]) <= window
    lines = [(await in_cart(clients, shopper, quantity=1), 1, PRICE)]
    at_checkout = await checkout(api, shopper, lines, discountCode=running)
    assert_refused(at_checkout, 429, "discount_lookups_throttled")
    assert (await api.get("/v1/cart", headers=shopper.headers)).status_code == 200

    await in_cart(clients, other_shopper, quantity=1)
    assert (await preview(api, other_shopper, running)).status_code == 200


async def test_a_fixed_amount_never_makes_an_order_free(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    code = await create_discount_code(clients, kind=DiscountType.FIXED_AMOUNT, value=Decimal(500))
    product = await in_cart(clients, shopper, quantity=1)
    placed = await checkout(api, shopper, [(product, 1, PRICE)], discountCode=code)
    order = await order_row(clients, placed.json()["orderId"])
    assert (order["total_amount"], order["discount_amount"]) == (Decimal("0.01"), Decimal("39.99"))


# limits under concurrency


async def test_the_per_customer_limit_holds_under_concurrency(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, services: Services
) -> None:
    """Ten checkouts of one customer at once, each of its own cart line: two get the code.
    The limit counts live orders: once one fails, the customer may use the code again."""
    code = await create_discount_code(clients, per_customer_limit=2)
    products = [await in_cart(clients, shopper, quantity=1) for _ in range(11)]

    responses = await asyncio.gather(
        *(checkout(api, shopper, [(p, 1, PRICE)], discountCode=code) for p in products[:10])
    )

    placed = [r.json()["orderId"] for r in responses if r.status_code == 201]
    assert len(placed) == 2, [r.text for r in responses]
    refusals = [assert_refused(r, 409, "discount_not_applicable") for r in responses if r.is_error]
    assert {e["reason"] for e in refusals} == {"customer_limit_reached"}
    assert sorted(await redemptions(clients, code)) == sorted((o, "REDEEMED") for o in placed)
    assert (await code_row(clients, code))["redeemed"] == 2

    declined = await record_payment(clients, placed[0], PaymentStatus.FAILED)
    assert declined is not None
    await settle_payment(services, PaymentChange(declined, placed[0], PaymentStatus.FAILED))
    again = await checkout(api, shopper, [(products[10], 1, PRICE)], discountCode=code)
    assert again.status_code == 201, again.text
    assert (await code_row(clients, code))["redeemed"] == 2


# giving the redemption back


async def test_a_failed_payment_gives_the_redemption_back_once(
    api: httpx.AsyncClient,
    clients: Clients,
    shopper: Shopper,
    other_shopper: Shopper,
    services: Services,
) -> None:
    code = await create_discount_code(clients, redemption_cap=1)
    product = await in_cart(clients, shopper, quantity=1)
    order_id = (await checkout(api, shopper, [(product, 1, PRICE)], discountCode=code)).json()[
        "orderId"
    ]
    declined = await pay(api, shopper, payment_body(order_id, DECLINED, amount=36.0))
    assert declined.json()["status"] == "failed", declined.text
    [payment] = await sql(
        clients, "SELECT payment_id::text FROM payments WHERE order_id = %s", order_id
    )

    failed = PaymentChange(payment["payment_id"], order_id, PaymentStatus.FAILED)
    for _ in range(3):  # what the payment-outcome agent does with the record, delivered again
        await settle_payment(services, failed)

    assert (await order_row(clients, order_id))["status"] == "PAYMENT_FAILED"
    assert await redemptions(clients, code) == [(order_id, "RETURNED")]
    assert (await code_row(clients, code))["redeemed"] == 0
    other = await in_cart(clients, other_shopper, quantity=1)
    reused = await checkout(api, other_shopper, [(other, 1, PRICE)], discountCode=code)
    assert reused.status_code == 201, reused.text
    assert (await code_row(clients, code))["redeemed"] == 1


async def test_an_expired_hold_gives_the_redemption_back_once(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, services: Services
) -> None:
    """The stack's own orders worker may sweep the order first: either way it is given back
    exactly once."""
    code = await create_discount_code(clients, redemption_cap=3)
    product = await in_cart(clients, shopper, quantity=1)
    order_id = (await checkout(api, shopper, [(product, 1, PRICE)], discountCode=code)).json()[
        "orderId"
    ]
    await sql(
        clients,
        "UPDATE reservations SET expires_at = now() - interval '1 second' WHERE order_id = %s",
        order_id,
    )

    async def outcome() -> tuple[str, list[tuple[str, str]], int]:
        return (
            (await order_row(clients, order_id))["status"],
            await redemptions(clients, code),
            (await code_row(clients, code))["redeemed"],
        )

    expected = ("EXPIRED", [(order_id, "RETURNED")], 0)
    await expire_holds(services, datetime.now(UTC))
    assert await eventually(outcome, expected) == expected
    await expire_holds(services, datetime.now(UTC))
    assert await outcome() == expected


# hostile input


NAN_VALUE = '{"code": "NANCODE1", "type": "fixed_amount", "value": NaN}'


@pytest.mark.parametrize(
    "body",
    [
        {"code": "SUMMER\u000010", "type": "percentage", "value": 10},
        {"code": "S" * 10_000, "type": "percentage", "value": 10},
        {"code": {"$gt": ""}, "type": "percentage", "value": 10},
        {"code": "$where", "type": "percentage", "value": 10},
        {"code": "X1' OR '1'='1", "type": "percentage", "value": 10},
        {"code": "HUGE1", "type": "fixed_amount", "value": 1e20},
        {"code": "HUGE2", "type": "fixed_amount", "value": "Infinity"},
        {"code": "PCT100", "type": "percentage", "value": 100},
        {"code": "CAP1", "type": "percentage", "value": 5, "redemptionCap": 2**40},
        {"code": "NAIVE1", "type": "percentage", "value": 5, "startsAt": "2030-01-01T00:00:00"},
        {"code": "OLD1", "type": "percentage", "value": 5, "startsAt": "0001-01-01T00:00:00+14:00"},
        {
            "code": "BACK1",
            "type": "percentage",
            "value": 5,
            "startsAt": "2030-02-01T00:00:00Z",
            "endsAt": "2030-01-01T00:00:00Z",
        },
        {"code": "EXTRA1", "type": "percentage", "value": 5, "redeemed": -1000},
    ],
)
async def test_hostile_codes_are_422(api: httpx.AsyncClient, admin: Shopper, body: dict) -> None:
    assert_refused(await api.post(CODES, json=body, headers=admin.headers), 422, "invalid_request")


async def test_a_nan_value_is_422(api: httpx.AsyncClient, admin: Shopper) -> None:
    headers = admin.headers | {"Content-Type": "application/json"}
    response = await api.post(CODES, content=NAN_VALUE, headers=headers)
    assert_refused(response, 422, "invalid_request")


@pytest.mark.parametrize(
    "discount_code",
    ["NUL\u0000CODE", "X" * 10_000, {"$ne": None}, ["CODE1", "CODE2"], "' OR 1=1 --", 12345],
    ids=["nul", "huge", "operator", "stacked", "injection", "number"],
)
async def test_hostile_codes_at_checkout_are_422(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, discount_code: object
) -> None:
    product = await in_cart(clients, shopper, quantity=1)
    response = await checkout(api, shopper, [(product, 1, PRICE)], discountCode=discount_code)
    assert_refused(response, 422, "invalid_request")
    assert (await inventory_of(clients, product))["reserved_qty"] == 0


@pytest.mark.parametrize("discount_code", ["NUL\u0000CODE", "X" * 10_000, "' OR 1=1 --", "ab"])
async def test_hostile_codes_in_the_cart_preview_are_422(
    api: httpx.AsyncClient, shopper: Shopper, discount_code: str
) -> None:
    assert_refused(await preview(api, shopper, discount_code), 422, "invalid_request")


@pytest.mark.parametrize("path", ["NUL%00CODE", "X" * 300, "%24where", "a.b"])
async def test_hostile_codes_in_the_operators_path_are_422(
    api: httpx.AsyncClient, admin: Shopper, path: str
) -> None:
    response = await api.get(f"{CODES}/{path}", headers=admin.headers)
    assert_refused(response, 422, "invalid_request")
