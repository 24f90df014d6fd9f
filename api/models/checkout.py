"""HTTP models of checkout: the client confirms the lines and unit prices it was shown."""

import uuid

from pydantic import ConfigDict, Field, field_validator

from adapters.catalog_documents import ProductId
from adapters.wire import ApiModel, Money
from api.models.discounts import DiscountCodeText
from domain.cart import MAX_LINE_QUANTITY


class CheckoutLine(ApiModel):
    product_id: ProductId
    quantity: int = Field(gt=0, le=MAX_LINE_QUANTITY)
    price: Money = Field(description="Unit price shown to the client; must equal the live price")


class CheckoutRequest(ApiModel):
    """The lines and unit prices the client showed (``GET /v1/cart``), to buy now."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cartId": "6f1c2a4e-5b7d-4c3e-9a8f-0d2b1e4c6a7f",
                    "products": [
                        {"productId": "prod_000123", "quantity": 2, "price": 999.99},
                        {"productId": "prod_000456", "quantity": 1, "price": 24.5},
                    ],
                    "addressId": "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
                    "discountCode": "SUMMER10",
                }
            ]
        }
    )

    cart_id: uuid.UUID
    products: list[CheckoutLine] = Field(min_length=1, max_length=MAX_LINE_QUANTITY)
    address_id: uuid.UUID | None = Field(None, description="One of the caller's addresses")
    discount_code: DiscountCodeText | None = Field(
        None,
        description="One code per order (codes do not stack); the order's totalAmount, which"
        " its payment must equal, is the subtotal less the discount",
    )

    @field_validator("products")
    @classmethod
    def _one_line_per_product(cls, lines: list[CheckoutLine]) -> list[CheckoutLine]:
        ids = [line.product_id for line in lines]
        if len(ids) != len(set(ids)):
            raise ValueError("each productId may appear once")
        return lines


class OrderIdResponse(ApiModel):
    order_id: uuid.UUID
