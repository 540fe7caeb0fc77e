"""Reading the audit log: filters, readable action names, details in euros, a CSV export.

Recording stays in app.auth.audit; this module only reads. Action codes that another domain adds
later show as their code until they get a name here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from app.auth.models import AuditEvent, User
from app.extensions import db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
#: How long audit events are kept: seven years, like the payment records they explain.
RETENTION_YEARS = 7

ACTION_LABELS = {
    "auth.login": _l("Logged in"),
    "auth.login_failed": _l("Failed login"),
    "allowance.activity.create": _l("Activity added"),
    "allowance.batch.create": _l("Payout made"),
    "allowance.batch.discard": _l("Payout discarded"),
    "allowance.batch.download": _l("Payout file downloaded"),
    "allowance.batch.export": _l("Payout exported for the bank"),
    "allowance.batch.paid": _l("Payout marked as paid"),
    "allowance.batch.remove_claim": _l("Claim taken out of a payout"),
    "allowance.batch.view": _l("Payout viewed"),
    "allowance.batches.view": _l("Payouts viewed"),
    "allowance.claim.approve": _l("Claim approved"),
    "allowance.claim.record": _l("Claim recorded"),
    "allowance.claim.reject": _l("Claim rejected"),
    "allowance.claims.view": _l("Claims viewed"),
    "allowance.expense.approve": _l("Expense approved"),
    "allowance.expense.record": _l("Expense recorded"),
    "allowance.expense.reject": _l("Expense rejected"),
    "allowance.limits.save": _l("Fiscal limits saved"),
    "allowance.statement.view": _l("Yearly statement viewed"),
    "allowance.team.save": _l("Team saved"),
    "allowance.volunteer.create": _l("Volunteer registered"),
    "allowance.volunteer.left": _l("Volunteer stopped"),
    "allowance.volunteer.purge_contacts": _l("Contact details removed"),
    "allowance.volunteer.view_iban": _l("Bank account viewed"),
    "council.closed": _l("Council closed"),
    "council.open": _l("Council opened"),
    "council.outcomes.publish": _l("Outcomes published"),
    "council.outcomes.save": _l("Outcomes saved"),
    "council.plan_next": _l("Next council planned"),
    "council.save": _l("Council saved"),
    "finance.source.save": _l("Funding source saved"),
    "paper.confirm": _l("Paper ballots confirmed"),
    "place.alliance.save": _l("Wijkalliantie saved"),
    "place.area.save": _l("Area saved"),
    "place.buurt.save": _l("Buurt saved"),
    "proposal.complete": _l("Plan completed"),
    "proposal.create": _l("Plan written"),
    "proposal.progress": _l("Progress update"),
    "proposal.review": _l("Plan reviewed"),
    "proposal.start_review": _l("Review started"),
    "proposal.submit": _l("Plan submitted"),
    "proposal.withdraw": _l("Plan withdrawn"),
    "round.add_option": _l("Plan put on the ballot"),
    "round.approve_results": _l("Results approved"),
    "round.close": _l("Vote closed"),
    "round.open": _l("Vote opened"),
    "round.remove_option": _l("Plan taken off the ballot"),
    "round.save": _l("Round saved"),
    "round.sub_budgets": _l("Budgets per buurt saved"),
    "ticket.desk_sign_in": _l("Signed in at the desk"),
    "ticket.void": _l("Ticket voided"),
    "tickets.generate": _l("Tickets made"),
    "user.accept_invitation": _l("Invitation accepted"),
    "user.activate": _l("Account switched on"),
    "user.deactivate": _l("Account switched off"),
    "user.invite": _l("Staff member invited"),
    "user.invitation_revoke": _l("Invitation withdrawn"),
    "user.roles": _l("Roles changed"),
}

OBJECT_LABELS = {
    "alliance": _l("Wijkalliantie"),
    "allowance_claim": _l("Claim"),
    "area": _l("Area"),
    "budget_round": _l("Round"),
    "council": _l("Council"),
    "fiscal_limit": _l("Fiscal limits"),
    "funding_source": _l("Funding source"),
    "invitation": _l("Invitation"),
    "neighbourhood": _l("Buurt"),
    "paper_batch": _l("Paper ballots"),
    "payout_batch": _l("Payout"),
    "proposal": _l("Plan"),
    "ticket": _l("Ticket"),
    "user": _l("Account"),
    "volunteer": _l("Volunteer"),
    "volunteer_activity": _l("Activity"),
    "volunteer_expense": _l("Expense"),
    "volunteer_team": _l("Team"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def object_label(code: str | None) -> str:
    return str(OBJECT_LABELS.get(code, code)) if code else ""


def _value_text(key: str, value) -> str:
    from app.formatting import money

    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key.endswith("_cents") and isinstance(value, int):
        return money(value)
    if isinstance(value, dict):
        return "; ".join(f"{_key_text(k)}: {_value_text(k, v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(key, v) for v in value)
    return str(value)


DETAIL_LABELS = {
    "amount": _l("amount"),
    "reduced_from": _l("reduced from"),
    "total": _l("total"),
    "volunteer": _l("volunteer"),
    "reason": _l("reason"),
    "claims": _l("claims"),
    "claim": _l("claim"),
    "transfers": _l("transfers"),
    "execution_on": _l("pay on"),
    "paid_on": _l("paid on"),
    "email": _l("e-mail address"),
    "roles": _l("roles"),
    "expenses": _l("expenses"),
    "expense": _l("expense"),
}


def _key_text(key: str) -> str:
    """A key as words in the reader's language where known: "amount_cents" → "amount"."""
    bare = key.removesuffix("_cents")
    return str(DETAIL_LABELS.get(bare, bare.replace("_", " ")))


def describe(event: AuditEvent) -> str:
    """The details of an event as one line, amounts in euros in the reader's locale."""
    return "; ".join(f"{_key_text(k)}: {_value_text(k, v)}" for k, v in (event.detail or {}).items() if v is not None)


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time(0), AMSTERDAM).astimezone(UTC)


def query(filters: AuditFilters) -> Select:
    """Newest first; dates are whole days in Amsterdam time, both ends included."""
    q = select(AuditEvent)
    if filters.actor_id:
        q = q.where(AuditEvent.actor_id == filters.actor_id)
    if filters.action:
        q = q.where(AuditEvent.action == filters.action)
    if filters.object_type:
        q = q.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id:
        q = q.where(AuditEvent.object_id == filters.object_id)
    if filters.date_from:
        q = q.where(AuditEvent.created_at >= _utc_start(filters.date_from))
    if filters.date_to:
        q = q.where(AuditEvent.created_at < _utc_start(filters.date_to + timedelta(days=1)))
    return q.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def actor_choices() -> list[tuple[int, str]]:
    ids = select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()
    return [(u.id, u.name) for u in db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name))]


def action_choices() -> list[tuple[str, str]]:
    codes = set(ACTION_LABELS) | set(db.session.scalars(select(AuditEvent.action).distinct()))
    return sorted(((code, action_label(code)) for code in codes), key=lambda choice: choice[1].casefold())


def object_choices() -> list[tuple[str, str]]:
    codes = set(OBJECT_LABELS) | {c for c in db.session.scalars(select(AuditEvent.object_type).distinct()) if c}
    return sorted(((code, object_label(code)) for code in codes), key=lambda choice: choice[1].casefold())


def csv_header() -> tuple[str, ...]:
    return (_("When"), _("Who"), _("Action"), _("Object"), _("Number"), _("Details"), _("Code"))


def csv_rows(filters: AuditFilters) -> Iterator[tuple]:
    for event in db.session.scalars(query(filters).execution_options(yield_per=500)):
        when = event.created_at.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M:%S")  # Excel reads it as a time
        yield (
            when,
            event.actor.name if event.actor else "",
            action_label(event.action),
            object_label(event.object_type),
            event.object_id or "",
            describe(event),
            event.action,
        )
