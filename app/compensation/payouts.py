"""Payout batches: approved claims collected, exported once (SEPA + CSV), then marked paid."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from schwifty import IBAN
from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.compensation.errors import BankChangeError, BatchStateError
from app.compensation.models import Claim, ClaimStatus, Expense, PayoutBatch, mask_iban
from app.compensation.sepa import Account, SepaError, Transfer, credit_transfer
from app.errors import DomainError
from app.exports import Euros, csv_bytes
from app.extensions import db
from app.types import utcnow


def csv_header() -> tuple[str, ...]:
    """Column names in the reader's language; money in euros (see app.exports.Euros)."""
    return (
        _("Transfer"),
        _("Volunteer"),
        _("Name on the bank account"),
        _("IBAN"),
        _("Claim"),
        _("Date"),
        _("Activity"),
        _("Minutes"),
        _("Rate per hour (€)"),
        _("Amount (€)"),
    )


class PayoutFileError(DomainError):
    def __init__(self, detail: str):
        super().__init__(f"payout file refused: {detail}")
        self.detail = detail

    def describe(self) -> str:
        return _("The bank file could not be made: %(detail)s", detail=self.detail)


def open_batch(actor: User, only: list[Claim] | None = None) -> PayoutBatch:
    """Collect every approved claim and approved receipted expense not yet in a batch (or only the
    claims of ``only``, then no expenses)."""
    query = select(Claim).where(Claim.status == ClaimStatus.approved, Claim.batch_id.is_(None))
    if only is not None:
        query = query.where(Claim.id.in_([c.id for c in only]))
    claims = list(db.session.scalars(query.order_by(Claim.volunteer_id, Claim.worked_on, Claim.id).with_for_update()))
    expenses = (
        []
        if only is not None
        else list(
            db.session.scalars(
                select(Expense)
                .where(Expense.status == ClaimStatus.approved, Expense.batch_id.is_(None))
                .order_by(Expense.volunteer_id, Expense.spent_on, Expense.id)
                .with_for_update()
            )
        )
    )
    if not claims and not expenses:
        raise BatchStateError("empty")
    batch = PayoutBatch(created_by_id=actor.id)
    db.session.add(batch)
    for item in (*claims, *expenses):
        item.batch = batch
    audit.record(
        "allowance.batch.create",
        batch,
        actor=actor,
        claims=[c.id for c in claims],
        expenses=[e.id for e in expenses] or None,
        total_cents=sum(c.amount_cents for c in claims) + sum(e.amount_cents for e in expenses),
    )
    return batch


def _lock(batch: PayoutBatch) -> None:
    """Reload the batch under a row lock: of two treasurers acting at once, the second sees the first's work."""
    db.session.flush()  # refresh() would drop changes not yet written
    db.session.refresh(batch, with_for_update=True)


def remove_claim(batch: PayoutBatch, claim: Claim, actor: User) -> None:
    _lock(batch)
    batch.ensure_editable("claims")
    claim.batch = None
    audit.record("allowance.batch.remove_claim", batch, actor=actor, claim=claim.id)


def discard_batch(batch: PayoutBatch, actor: User) -> None:
    """An unexported batch can be given up; its claims wait for the next one."""
    _lock(batch)
    batch.ensure_editable("discard")
    for item in (*batch.claims, *batch.expenses):
        item.batch = None
    audit.record("allowance.batch.discard", batch, actor=actor)
    db.session.flush()
    db.session.delete(batch)


def end_to_end_id(batch: PayoutBatch, volunteer_id: int) -> str:
    return f"WS-B{batch.id}-V{volunteer_id}"


#: The well-known example IBAN that config.py offers as a demo default; never in production.
DEMO_DEBTOR_IBAN = "NL91ABNA0417164300"


def debtor() -> Account:
    """The programme's own account, from PAYOUT_DEBTOR_NAME, _IBAN and _BIC."""
    config = current_app.config
    iban = (config.get("PAYOUT_DEBTOR_IBAN") or "").replace(" ", "").upper()
    if not config.get("DEMO_ALLOWED") and iban == DEMO_DEBTOR_IBAN:
        raise PayoutFileError(_("set the programme's own account in PAYOUT_DEBTOR_IBAN first."))
    try:
        iban = IBAN(iban).compact
    except ValueError:
        raise PayoutFileError(_("PAYOUT_DEBTOR_IBAN is not a valid IBAN.")) from None
    return Account(
        name=config["PAYOUT_DEBTOR_NAME"], iban=iban, bic=(config.get("PAYOUT_DEBTOR_BIC") or "").strip() or None
    )


def _bic(iban: str) -> str | None:
    try:
        bic = IBAN(iban).bic
    except ValueError:
        return None
    return str(bic) if bic else None


def transfers_of(batch: PayoutBatch) -> list[Transfer]:
    """One transfer per volunteer: the sum of their claims in this batch."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # the bank statement's language
        description = _("Volunteer allowance Wijkstem, payout %(number)s", number=batch.id)
    by_volunteer: dict[int, list[Claim | Expense]] = {}
    for item in sorted((*batch.claims, *batch.expenses), key=lambda item: item.volunteer_id):
        by_volunteer.setdefault(item.volunteer_id, []).append(item)
    transfers = []
    for volunteer_id, items in by_volunteer.items():  # allowance and expenses in one transfer
        volunteer = items[0].volunteer
        transfers.append(
            Transfer(
                creditor=Account(volunteer.account_holder_name, volunteer.iban, _bic(volunteer.iban)),
                amount_cents=sum(i.amount_cents for i in items),
                description=description,
                end_to_end_id=end_to_end_id(batch, volunteer_id),
            )
        )
    return transfers


def batch_csv(batch: PayoutBatch) -> bytes:
    rows = []
    for claim in batch.claims:
        volunteer = claim.volunteer
        rows.append(
            (
                end_to_end_id(batch, volunteer.id),
                volunteer.name,
                volunteer.account_holder_name,
                volunteer.iban,
                claim.id,
                claim.worked_on.isoformat(),
                claim.activity.title if claim.activity else claim.note,
                claim.minutes,
                Euros(claim.rate_cents_per_hour),
                Euros(claim.amount_cents),
            )
        )
    for expense in batch.expenses:  # receipted expenses: no minutes or rate; the receipt in the activity column
        volunteer = expense.volunteer
        rows.append(
            (
                end_to_end_id(batch, volunteer.id),
                volunteer.name,
                volunteer.account_holder_name,
                volunteer.iban,
                _("expense %(number)s", number=expense.id),
                expense.spent_on.isoformat(),
                f"{expense.description} ({expense.receipt_reference})",
                "",
                "",
                Euros(expense.amount_cents),
            )
        )
    return csv_bytes(csv_header(), rows)


def changed_accounts_by(batch: PayoutBatch, actor: User) -> bool:
    """Whether `actor` changed (or asked to change) a bank account this batch pays."""
    return any(
        actor.id in (c.volunteer.bank_changed_by_id, c.volunteer.bank_change_requested_by_id) for c in batch.claims
    )


def duplicate_ibans(batch: PayoutBatch) -> list[tuple[str, list[str]]]:
    """Accounts that several volunteers in this batch share: (masked IBAN, names)."""
    names: dict[str, set[str]] = {}
    for claim in batch.claims:
        names.setdefault(claim.volunteer.iban, set()).add(claim.volunteer.name)
    return [(mask_iban(iban), sorted(people)) for iban, people in sorted(names.items()) if len(people) > 1]


def export_batch(batch: PayoutBatch, execution_on: date, actor: User) -> PayoutBatch:
    """Write the SEPA file and the CSV once, store them, and freeze the batch. Not by
    someone who changed a bank account in it."""
    _lock(batch)
    batch.ensure_editable("export")
    if changed_accounts_by(batch, actor):
        raise BankChangeError("changed_account")
    if batch.is_empty:
        raise BatchStateError("empty")
    if any(item.status != ClaimStatus.approved for item in (*batch.claims, *batch.expenses)):
        raise BatchStateError("not_approved")
    try:
        sepa = credit_transfer(debtor(), transfers_of(batch), execution_on)
    except SepaError as error:
        raise PayoutFileError(str(error)) from error
    batch.execution_on = execution_on
    batch.sepa_xml = sepa.xml.decode("utf-8")
    batch.csv_text = batch_csv(batch).decode("utf-8")
    batch.message_id = sepa.message_id
    batch.total_cents = sepa.total_cents
    batch.transfer_count = sepa.transfer_count
    batch.exported_by_id = actor.id
    batch.exported_at = utcnow()
    audit.record(
        "allowance.batch.export",
        batch,
        actor=actor,
        total_cents=sepa.total_cents,
        transfers=sepa.transfer_count,
        message_id=sepa.message_id,
        execution_on=execution_on.isoformat(),
    )
    return batch


def mark_paid(batch: PayoutBatch, paid_on: date, actor: User) -> None:
    _lock(batch)
    if not batch.is_exported:
        raise BatchStateError("not_exported")
    if batch.is_paid:
        raise BatchStateError("paid")
    if changed_accounts_by(batch, actor):
        raise BankChangeError("changed_account")
    batch.paid_on = paid_on
    batch.paid_marked_by_id = actor.id
    for item in (*batch.claims, *batch.expenses):
        item.move_to(ClaimStatus.paid)
    audit.record("allowance.batch.paid", batch, actor=actor, paid_on=paid_on.isoformat())


def batches() -> list[PayoutBatch]:
    return list(db.session.scalars(select(PayoutBatch).order_by(PayoutBatch.id.desc())))


def waiting_claims_count() -> int:
    from sqlalchemy import func

    claims = (
        db.session.scalar(
            select(func.count())
            .select_from(Claim)
            .where(Claim.status == ClaimStatus.approved, Claim.batch_id.is_(None))
        )
        or 0
    )
    expenses = (
        db.session.scalar(
            select(func.count())
            .select_from(Expense)
            .where(Expense.status == ClaimStatus.approved, Expense.batch_id.is_(None))
        )
        or 0
    )
    return claims + expenses
