"""Treasurer and admin: payout batches (SEPA + CSV, immutable once exported) and the yearly
statement per volunteer. Every view of these pages and files is in the audit log."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from app.compensation import bp, payouts, services, usage
from app.compensation.errors import BankChangeError, BatchStateError
from app.compensation.forms import ExportForm, PaidForm, next_working_day
from app.compensation.models import Claim, PayoutBatch, Volunteer
from app.compensation.statement import Statement, render_statement
from app.confirm import ConfirmForm, confirmation_page, confirmed
from app.extensions import db
from app.formatting import money
from app.roles import Role
from app.security import roles_required
from app.views import download, get_or_404

PAYERS = (Role.treasurer, Role.admin)


@bp.route("/staff/allowances/batches", methods=["GET"])
@roles_required(*PAYERS)
def batches():
    services.record_view("allowance.batches.view")
    db.session.commit()
    return render_template(
        "compensation/batches.html", batches=payouts.batches(), waiting=payouts.waiting_claims_count()
    )


@bp.route("/staff/allowances/batches", methods=["POST"])
@roles_required(*PAYERS)
def batch_create():
    try:
        batch = payouts.open_batch(current_user)
    except BatchStateError:
        db.session.rollback()
        flash(_("There are no approved claims waiting for a payout."), "error")
        return redirect(url_for("compensation.batches"), code=303)
    db.session.commit()
    return redirect(url_for("compensation.batch", batch_id=batch.id), code=303)


def _batch_page(
    batch: PayoutBatch, export_form: ExportForm | None = None, paid_form: PaidForm | None = None, status: int = 200
):
    export_form = export_form or ExportForm(data={"execution_on": next_working_day(services.today())})
    paid_form = paid_form or PaidForm(data={"paid_on": services.today()})
    return render_template(
        "compensation/batch.html",
        batch=batch,
        export_form=export_form,
        paid_form=paid_form,
        transfers=payouts.transfers_of(batch) if not batch.is_empty else [],
        duplicates=payouts.duplicate_ibans(batch),
    ), status


@bp.route("/staff/allowances/batches/<int:batch_id>")
@roles_required(*PAYERS)
def batch(batch_id: int):
    batch = get_or_404(PayoutBatch, batch_id)
    services.record_view("allowance.batch.view", batch)
    db.session.commit()
    return _batch_page(batch)


@bp.route("/staff/allowances/batches/<int:batch_id>/export", methods=["POST"])
@roles_required(*PAYERS)
def batch_export(batch_id: int):
    batch = get_or_404(PayoutBatch, batch_id)
    batch.ensure_editable("export")  # 409 before anything else once exported
    form = ExportForm()
    if not form.validate_on_submit():
        return _batch_page(batch, form, status=400)
    payouts.export_batch(batch, form.execution_on.data, current_user)
    db.session.commit()
    flash(_("The payout is exported. Download the bank file and upload it to the bank."), "success")
    return redirect(url_for("compensation.batch", batch_id=batch.id), code=303)


def _exported(batch_id: int) -> PayoutBatch:
    batch = get_or_404(PayoutBatch, batch_id)
    if not batch.is_exported:
        abort(404)
    return batch


@bp.route("/staff/allowances/batches/<int:batch_id>/sepa.xml")
@roles_required(*PAYERS)
def batch_sepa(batch_id: int):
    batch = _exported(batch_id)
    services.record_view("allowance.batch.download", batch, file="sepa")
    db.session.commit()
    return download(batch.sepa_xml.encode("utf-8"), "application/xml", f"payout-{batch.id}-pain.001.001.03.xml")


@bp.route("/staff/allowances/batches/<int:batch_id>/claims.csv")
@roles_required(*PAYERS)
def batch_csv(batch_id: int):
    batch = _exported(batch_id)
    services.record_view("allowance.batch.download", batch, file="csv")
    db.session.commit()
    # Written for the reader (their language); the claims of an exported batch cannot change,
    # so it lists what the stored copy of the export lists.
    return download(payouts.batch_csv(batch), "text/csv; charset=utf-8", f"payout-{batch.id}.csv")


@bp.route("/staff/allowances/batches/<int:batch_id>/claims/<int:claim_id>/remove", methods=["POST"])
@roles_required(*PAYERS)
def batch_remove_claim(batch_id: int, claim_id: int):
    batch = get_or_404(PayoutBatch, batch_id)
    claim = get_or_404(Claim, claim_id)
    if claim.batch_id != batch.id:
        abort(404)
    payouts.remove_claim(batch, claim, current_user)
    db.session.commit()
    return redirect(url_for("compensation.batch", batch_id=batch.id), code=303)


@bp.route("/staff/allowances/batches/<int:batch_id>/discard", methods=["POST"])
@roles_required(*PAYERS)
def batch_discard(batch_id: int):
    batch = get_or_404(PayoutBatch, batch_id)
    payouts.discard_batch(batch, current_user)
    db.session.commit()
    flash(_("The payout is discarded. Its claims wait for the next payout."), "success")
    return redirect(url_for("compensation.batches"), code=303)


@bp.route("/staff/allowances/batches/<int:batch_id>/paid", methods=["POST"])
@roles_required(*PAYERS)
def batch_paid(batch_id: int):
    batch = get_or_404(PayoutBatch, batch_id)
    form = PaidForm()
    if not form.validate_on_submit():
        return _batch_page(batch, paid_form=form, status=400)
    if not batch.is_exported or batch.is_paid:
        raise BatchStateError("paid" if batch.is_paid else "not_exported")
    if payouts.changed_accounts_by(batch, current_user):
        raise BankChangeError("changed_account")
    confirm = ConfirmForm()
    if not confirmed(confirm):
        facts = [
            (_("Transfers"), batch.transfer_count or 0),
            (_("Total"), money(batch.total_cents or 0)),
            (_("Claims"), len(batch.claims)),
        ]
        return confirmation_page(
            confirm,
            _("Mark as paid"),
            facts,
            request.full_path,
            url_for("compensation.batch", batch_id=batch.id),
            {"paid_on": form.paid_on.data.isoformat()},
        )
    payouts.mark_paid(batch, form.paid_on.data, current_user)
    db.session.commit()
    flash(_("The payout is marked as paid."), "success")
    return redirect(url_for("compensation.batch", batch_id=batch.id), code=303)


# --- the yearly statement ----------------------------------------------------------------------
#: Printed on every statement beside PAYOUT_DEBTOR_NAME (the programme's office).
ORGANISATION_ADDRESS = "Amsterdam Nieuw-West"


def _payment_dates(volunteer: Volunteer, year: int) -> list[str]:
    """Each payout that paid this volunteer something for ``year``: its date and amount."""
    paid: dict[tuple, int] = {}
    for item in (*volunteer.claims, *volunteer.expenses):
        day = item.worked_on if isinstance(item, Claim) else item.spent_on
        if day.year == year and item.batch is not None and item.batch.paid_on is not None:
            key = (item.batch.paid_on, item.batch.id)
            paid[key] = paid.get(key, 0) + item.amount_cents
    return [
        _("%(date)s (payout %(number)s, %(amount)s)", date=format_date(on, "long"), number=number, amount=money(cents))
        for (on, number), cents in sorted(paid.items())
    ]


def _statement(volunteer: Volunteer, year: int) -> Statement:
    overview = usage.year_overview(volunteer, year)
    limit = overview.limit
    columns = (
        _("Month"),
        _("Hours"),
        _("Allowance"),
        _("Of which paid"),
        _("Expenses"),
        _("Monthly maximum"),
        _("Left"),
    )
    rows = [
        (
            usage.month_name(line.month),
            f"{line.minutes // 60}:{line.minutes % 60:02d}",
            money(line.allowance_cents),
            money(line.paid_cents),
            money(line.expenses_cents),
            money(line.cap_cents) if line.cap_cents is not None else "—",
            money(line.remaining_cents) if line.remaining_cents is not None else "—",
        )
        for line in overview.months
    ]
    minutes = overview.total("minutes")
    total = (
        _("Year"),
        f"{minutes // 60}:{minutes % 60:02d}",
        money(overview.total("allowance_cents")),
        money(overview.total("paid_cents")),
        money(overview.total("expenses_cents")),
        money(limit.yearly_max_cents) if limit else "—",
        money(overview.remaining_year_cents) if overview.remaining_year_cents is not None else "—",
    )
    config = current_app.config
    facts = [
        (_("Organisation"), f"{config['PAYOUT_DEBTOR_NAME']} · {ORGANISATION_ADDRESS}"),
        (_("Volunteer"), volunteer.name),
        (
            _("Period"),
            _(
                "%(start)s to %(end)s",
                start=format_date(date(year, 1, 1), "long"),
                end=format_date(date(year, 12, 31), "long"),
            ),
        ),
        (_("Made on"), format_date(services.today(), "long")),
    ]
    payments = _payment_dates(volunteer, year)
    facts.append((_("Paid on"), "; ".join(payments) if payments else _("nothing paid yet")))
    notes = [_("Allowance: approved and paid claims. Claims still waiting for approval are not included.")]
    if limit is None:
        notes.append(_("There are no fiscal limits for %(year)s yet. An administrator must add them first.", year=year))
    else:
        notes.append(
            _(
                "Fiscal limits for %(year)s: %(adult)s per hour from 21 years, %(young)s per hour under 21, "
                "%(month)s per month and %(yearly)s per year.",
                year=year,
                adult=money(limit.hourly_max_21_plus_cents),
                young=money(limit.hourly_max_under_21_cents),
                month=money(limit.monthly_max_cents),
                yearly=money(limit.yearly_max_cents),
            )
        )
        if not limit.confirmed:
            notes.append(_("The limits for this year are not confirmed yet."))
    if any(e.spent_on.year == year and e.counts_towards_caps for e in volunteer.expenses):
        notes.append(_("Receipted expenses count towards the monthly and yearly maximum."))
    return Statement(
        title=_("Volunteer allowance: yearly statement %(year)s", year=year),
        facts=facts,
        columns=columns,
        rows=rows,
        total=total,
        notes=notes,
        widths=(22, 15, 25, 25, 25, 33, 29),
        footer=_("Nationaal Programma Samen Nieuw-West. Payment records are kept for seven years."),
    )


@bp.route("/staff/allowances/volunteers/<int:volunteer_id>/statement-<int:year>.pdf")
@roles_required(*PAYERS)
def statement(volunteer_id: int, year: int):
    volunteer = get_or_404(Volunteer, volunteer_id)
    if not 2000 <= year <= 2100:
        abort(404)
    pdf = render_statement(_statement(volunteer, year))
    services.record_view("allowance.statement.view", volunteer, year=year)
    db.session.commit()
    return download(pdf, "application/pdf", f"allowance-{volunteer.id}-{year}.pdf")
