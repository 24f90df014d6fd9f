"""Money audit: every charge ends on a fulfilled order or is refunded (``domain.money``).

Reads every succeeded payment and every refund with its order from Postgres in one query. A
settlement or a refund may be under way while the audit reads (the CDC delay, a gateway call),
so findings are re-read after a grace period and only those that persist are reported.
``repair`` refunds, through the gateway and idempotently, the charges of orders that ended.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from adapters import payments
from adapters.connections import Clients
from domain.money import Discrepancy, Finding, PaymentFacts, discrepancies
from services import refunds
from services.context import Services


@dataclass(frozen=True)
class MoneyReport:
    findings: list[Finding]
    charges: int
    refunds: int
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.findings

    def counts(self) -> dict[str, int]:
        return {kind.value: sum(f.kind is kind for f in self.findings) for kind in Discrepancy}

    def summary(self) -> dict:
        return {
            "ok": self.ok,
            "charges": self.charges,
            "refunds": self.refunds,
            "seconds": round(self.seconds, 3),
            "discrepancy_counts": self.counts(),
        }

    def as_json(self) -> dict:
        return {**self.summary(), "findings": [f.as_json() for f in self.findings]}


async def audit_money(
    clients: Clients,
    order_ids: Sequence[str] | None = None,
    grace_seconds: float = 3.0,
    product_prefix: str = "",
) -> MoneyReport:
    """Of every order, of ``order_ids`` (tests audit their own), or of the orders of the
    products whose id starts with ``product_prefix``."""
    started = asyncio.get_running_loop().time()
    facts = await _read(clients, order_ids, product_prefix)
    findings = discrepancies(facts)
    if findings and grace_seconds > 0:
        await asyncio.sleep(grace_seconds)
        suspects = sorted({f.order_id for f in findings})
        findings = discrepancies(await _read(clients, suspects))
    return MoneyReport(
        findings,
        charges=sum(f.charged for f in facts),
        refunds=sum(f.refund_status is not None for f in facts),
        seconds=asyncio.get_running_loop().time() - started,
    )


async def repair_money(services: Services, report: MoneyReport) -> list[dict]:
    """Refunds every charge kept for an order that ended; the refund rows after asking."""
    done = []
    for finding in report.findings:
        if not finding.refundable:
            continue
        async with services.unit_of_work() as uow:
            await uow.refunds.open_for_payment(finding.payment_id)
        refund = await refunds.refund_payment(services, finding.payment_id)
        if refund is not None:
            done.append(refund)
    return done


async def _read(
    clients: Clients, order_ids: Sequence[str] | None, product_prefix: str = ""
) -> list[PaymentFacts]:
    async with clients.pg.connection() as conn:
        return await payments.money_facts(conn, order_ids, product_prefix)
