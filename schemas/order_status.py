"""An order status change as Redis pub/sub carries it and the API streams it as SSE."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.orders import OrderStatus


class StatusChange(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    order_id: str = Field(alias="orderId")
    status: OrderStatus
    changed_at: datetime = Field(alias="changedAt")

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True)
