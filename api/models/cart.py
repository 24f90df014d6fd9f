"""HTTP models of the cart: requests carry ids and quantities, responses carry live prices."""

import uuid

from pydantic import ConfigDict, Field

from adapters.catalog_documents import ProductId
from adapters.wire import ApiModel, Money
from api.models.discounts import DiscountLine
from domain.cart import MAX_LINE_QUANTITY, PricedCart, PricedLine


class CartAddRequest(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"productId": "prod_000123", "quantity": 2}]}
    )

    product_id: ProductId
    quantity: int = Field(gt=0, le=MAX_LINE_QUANTITY, description="Added to the line's quantity")


class CartUpdateRequest(ApiModel):
    product_id: ProductId
    quantity: int = Field(ge=0, le=MAX_LINE_QUANTITY, description="New quantity; 0 removes")


class CartIdResponse(ApiModel):
    cart_id: uuid.UUID


class CartLineView(ApiModel):
    product_id: str
    quantity: int
    title: str | None = Field(description="None when the product left the catalog")
    price: Money | None = Field(description="Live unit price")
    currency: str | None
    line_total: Money | None
    available: bool = Field(description="False when the product left the catalog")

    @classmethod
    def of(cls, line: PricedLine) -> "CartLineView":
        live = line.price
        return cls(
            product_id=line.product_id,
            quantity=line.quantity,
            title=live.title if live else None,
            price=live.price if live else None,
            currency=live.currency if live else None,
            line_total=line.line_total,
            available=live is not None,
        )


class CartView(ApiModel):
    cart_id: uuid.UUID
    lines: list[CartLineView]
    subtotal: Money = Field(description="The purchasable lines at live prices")
    discount: DiscountLine | None = Field(description="With ?discountCode=: its discount line")
    total: Money = Field(description="subtotal less the discount: what checkout will charge")
    currency: str

    @classmethod
    def of(cls, cart_id: uuid.UUID, cart: PricedCart) -> "CartView":
        return cls(
            cart_id=cart_id,
            lines=[CartLineView.of(line) for line in cart.lines],
            subtotal=cart.subtotal,
            discount=DiscountLine.of(cart.discount),
            total=cart.total,
            currency=cart.currency,
        )
