"""HTTP models of the carrier's tracking webhook."""

import datetime as dt
import uuid

from pydantic import AwareDatetime, ConfigDict, Field

from adapters.wire import ApiModel
from domain.orders import OrderStatus
from domain.tracking import CarrierEvent, CarrierEventKind
from services.tracking import EventOutcome


class CarrierEventRequest(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "eventId": "evt_7Hq2kP9x",
                    "trackingNumber": "TRK3D5E7F901A2B",
                    "type": "OUT_FOR_DELIVERY",
                    "occurredAt": "2026-12-03T08:15:00Z",
                    "estimatedDelivery": "2026-12-03",
                }
            ]
        }
    )

    event_id: str = Field(
        min_length=1, max_length=128, description="The carrier's id: a redelivery is a no-op"
    )
    tracking_number: str = Field(min_length=1, max_length=64)
    type: CarrierEventKind
    occurred_at: AwareDatetime = Field(
        description="When the carrier saw it: an event older than one applied changes nothing"
    )
    estimated_delivery: dt.date | None = Field(None, description="A new estimate, if any")

    @property
    def event(self) -> CarrierEvent:
        return CarrierEvent(
            self.event_id,
            self.tracking_number,
            self.type,
            self.occurred_at,
            self.estimated_delivery,
        )


class CarrierEventReceipt(ApiModel):
    outcome: EventOutcome = Field(
        description="`ignored`: stale or not ahead of the order's status (see `reason`); "
        "`duplicate`: this event id was received before"
    )
    order_id: uuid.UUID
    status: OrderStatus = Field(description="The order's status after the event")
    reason: str | None = None
