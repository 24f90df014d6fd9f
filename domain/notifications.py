"""Which order changes the customer hears about, and what the email says, as pure code.

A notification's id is derived from the order and the event (``<order_id>:<kind>``), so a
redelivered change maps to the same id and the claim on it makes sending happen once.
"""

from dataclasses import dataclass
from email.message import EmailMessage

from domain.orders import OrderSnapshot, OrderStatus

NOTIFY_ON = (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.CANCELLED)


def notification_id(order_id: str, kind: str) -> str:
    return f"{order_id}:{kind}"


@dataclass(frozen=True)
class Notice:
    notification_id: str
    order_id: str
    user_id: str
    kind: str
    subject: str
    body: str

    def email(self, sender: str, recipient: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = recipient
        message["Subject"] = self.subject
        message["X-Shopstream-Notification"] = self.notification_id
        message.set_content(self.body)
        return message


def notice_for(order: OrderSnapshot) -> Notice | None:
    """The email an order in this status deserves, or None when the status is not announced."""
    if order.status not in NOTIFY_ON:
        return None
    short = order.order_id[:8]
    if order.status == OrderStatus.CONFIRMED:
        subject = f"Order {short} confirmed"
        body = (
            f"Thank you! Your payment of {order.total_amount} {order.currency} was received "
            f"and order {order.order_id} is confirmed."
        )
        if order.discount_code:
            body += (
                f" Discount code {order.discount_code} saved you {order.discount_amount}"
                f" {order.currency}."
            )
    elif order.status == OrderStatus.CANCELLED:
        subject = f"Order {short} cancelled"
        body = (
            f"Order {order.order_id} is cancelled, as you asked. If you paid for it, the "
            f"{order.total_amount} {order.currency} are refunded to your card."
        )
    else:
        subject = f"Order {short} shipped"
        body = (
            f"Order {order.order_id} is on its way. Tracking number: "
            f"{order.tracking_number or 'pending'}; estimated delivery: "
            f"{order.estimated_delivery or 'to be announced'}."
        )
    return Notice(
        notification_id(order.order_id, order.status),
        order.order_id,
        order.user_id,
        order.status,
        subject,
        body,
    )
