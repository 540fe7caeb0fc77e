"""Treasurer and admin: volunteers, teams and activities, claims within the fiscal caps,
approvals, expenses and the limits. The board may look at volunteers, teams and limits;
bank accounts and payments are only for treasurer and admin, and every view of them is
in the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.compensation import bp, services, usage
from app.compensation import volunteers as people
from app.compensation.forms import (
    ActivityForm,
    AttendanceForm,
    BulkApproveForm,
    ClaimForm,
    ExpenseForm,
    LeaveForm,
    LimitForm,
    RejectForm,
    TeamForm,
    VolunteerForm,
    split_status,
)
from app.compensation.models import Activity, Claim, ClaimStatus, Expense, Team, Volunteer
from app.compensation.services import CapExceeded, ClaimDateRefused, ClaimEntry, DuplicateClaim, ExpenseOverCap
from app.extensions import db
from app.formatting import money
from app.roles import Role
from app.security import roles_required
from app.signals import Panel
from app.views import get_or_404, paginate

VIEWERS = (Role.treasurer, Role.admin, Role.board)
PAYERS = (Role.treasurer, Role.admin)

_PAYER_LINKS = (
    ("compensation.volunteers", _l("Volunteers")),
    ("compensation.claim_new", _l("Record a claim")),
    ("compensation.claims", _l("Claims to approve")),
    ("compensation.batches", _l("Payouts")),
    ("compensation.teams", _l("Teams and activities")),
)
PANELS = (
    Panel(Role.treasurer, _l("Volunteer allowances"), _PAYER_LINKS),
    Panel(Role.admin, _l("Volunteer allowances"), _PAYER_LINKS + (("compensation.limits", _l("Fiscal limits")),)),
    Panel(
        Role.board,
        _l("Volunteer allowances"),
        (
            ("compensation.volunteers", _l("Volunteers")),
            ("compensation.teams", _l("Teams and activities")),
            ("compensation.limits", _l("Fiscal limits")),
        ),
    ),
)


def can_see_payments() -> bool:
    return current_user.has_role(*PAYERS)


# --- volunteers -------------------------------------------------------------------------------
@bp.route("/staff/allowances")
@roles_required(*VIEWERS)
def volunteers():
    return render_template("compensation/volunteers.html", volunteers=people.all_volunteers())


def _volunteer_form(volunteer: Volunteer | None) -> VolunteerForm:
    data = {"teams": [t.id for t in volunteer.teams]} if volunteer is not None and request.method == "GET" else None
    form = VolunteerForm(obj=volunteer, data=data, new=volunteer is None)
    form.teams.choices = [(t.id, t.name) for t in people.all_teams()]
    return form


@bp.route("/staff/allowances/volunteers/new", methods=["GET", "POST"])
@bp.route("/staff/allowances/volunteers/<int:volunteer_id>/edit", methods=["GET", "POST"])
@roles_required(*PAYERS)
def volunteer_form(volunteer_id: int | None = None):
    volunteer = get_or_404(Volunteer, volunteer_id) if volunteer_id else None
    form = _volunteer_form(volunteer)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in people.VOLUNTEER_FIELDS}
        teams = [t for t in people.all_teams() if t.id in (form.teams.data or [])]
        volunteer = people.save_volunteer(volunteer, values, teams, current_user)
        db.session.commit()
        flash(_("The volunteer is saved."), "success")
        if volunteer.has_pending_bank_change:
            flash(_("The new bank account waits until another treasurer or an administrator confirms it."), "success")
        return redirect(url_for("compensation.volunteer", volunteer_id=volunteer.id), code=303)
    if volunteer is not None:
        services.record_view("allowance.volunteer.view_iban", volunteer, page="edit")
        db.session.commit()
    status = 400 if form.errors else 200
    return render_template(
        "compensation/volunteer_form.html", form=form, volunteer=volunteer, consent_text=people.CONSENT_TEXT
    ), status


@bp.route(
    "/staff/allowances/volunteers/<int:volunteer_id>/bank-change/<any(confirm, reject):decision>", methods=["POST"]
)
@roles_required(*PAYERS)
def bank_change(volunteer_id: int, decision: str):
    """Another treasurer or an administrator confirms (or rejects) a waiting IBAN or holder-name change."""
    volunteer = get_or_404(Volunteer, volunteer_id)
    (people.confirm_bank_change if decision == "confirm" else people.reject_bank_change)(volunteer, current_user)
    db.session.commit()
    flash(
        _("The new bank account is confirmed.") if decision == "confirm" else _("The bank-account change is rejected."),
        "success",
    )
    return redirect(url_for("compensation.volunteer", volunteer_id=volunteer.id), code=303)


@bp.route("/staff/allowances/volunteers/<int:volunteer_id>")
@roles_required(*VIEWERS)
def volunteer(volunteer_id: int):
    volunteer = get_or_404(Volunteer, volunteer_id)
    context = {"volunteer": volunteer, "payments": can_see_payments()}
    if context["payments"]:
        today = services.today()
        context |= {
            "usage": usage.usage(volunteer, today),
            "overview": usage.year_overview(volunteer, today.year),
            "years": usage.statement_years(volunteer),
            "leave_form": LeaveForm(),
        }
        services.record_view("allowance.volunteer.view_iban", volunteer, page="detail")
        db.session.commit()
    return render_template("compensation/volunteer.html", **context)


@bp.route("/staff/allowances/volunteers/<int:volunteer_id>/leave", methods=["POST"])
@roles_required(*PAYERS)
def volunteer_leave(volunteer_id: int):
    volunteer = get_or_404(Volunteer, volunteer_id)
    form = LeaveForm()
    if form.validate_on_submit():
        people.mark_left(volunteer, form.ended_on.data, current_user)
        db.session.commit()
        flash(_("The volunteer is marked as stopped. Their contact details will be removed."), "success")
    return redirect(url_for("compensation.volunteer", volunteer_id=volunteer.id), code=303)


@bp.route("/staff/allowances/volunteers/<int:volunteer_id>/expenses/new", methods=["GET", "POST"])
@roles_required(*PAYERS)
def expense_new(volunteer_id: int):
    volunteer = get_or_404(Volunteer, volunteer_id)
    form = ExpenseForm()
    refusal, status = None, 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            services.record_expense(
                volunteer,
                form.spent_on.data,
                form.description.data,
                form.amount.cents,
                form.receipt_reference.data,
                current_user,
            )
        except ClaimDateRefused as error:
            db.session.rollback()
            form.spent_on.errors.append(error.describe())
        except ExpenseOverCap as error:
            db.session.rollback()
            refusal, status = error.describe(), 409
        else:
            db.session.commit()
            flash(_("The expense is recorded. Another treasurer must approve it."), "success")
            return redirect(url_for("compensation.volunteer", volunteer_id=volunteer.id), code=303)
    return render_template("compensation/expense_form.html", form=form, volunteer=volunteer, refusal=refusal), status


# --- teams and activities -------------------------------------------------------------------------
@bp.route("/staff/allowances/teams", methods=["GET"])
@roles_required(*VIEWERS)
def teams():
    return render_template(
        "compensation/teams.html", teams=people.all_teams(), form=TeamForm(), activities=people.recent_activities(20)
    )


@bp.route("/staff/allowances/teams", methods=["POST"])
@roles_required(*PAYERS)
def team_create():
    form = TeamForm()
    if not form.validate_on_submit():
        return render_template(
            "compensation/teams.html", teams=people.all_teams(), form=form, activities=people.recent_activities(20)
        ), 400
    if people.team_name_taken(form.name.data):
        form.name.errors.append(_("There is already a team with this name."))
        return render_template(
            "compensation/teams.html", teams=people.all_teams(), form=form, activities=people.recent_activities(20)
        ), 400
    team = people.save_team(None, form.name.data, form.description.data, current_user)
    db.session.commit()
    return redirect(url_for("compensation.team", team_id=team.id), code=303)


@bp.route("/staff/allowances/teams/<int:team_id>")
@roles_required(*VIEWERS)
def team(team_id: int):
    return render_template("compensation/team.html", team=get_or_404(Team, team_id), form=ActivityForm())


@bp.route("/staff/allowances/teams/<int:team_id>/activities", methods=["POST"])
@roles_required(*PAYERS)
def activity_create(team_id: int):
    team = get_or_404(Team, team_id)
    form = ActivityForm()
    if not form.validate_on_submit():
        return render_template("compensation/team.html", team=team, form=form), 400
    activity = people.add_activity(team, form.title.data, form.held_on.data, form.duration_minutes.data, current_user)
    db.session.commit()
    flash(_("The activity is added. Now tick who took part."), "success")
    return redirect(url_for("compensation.activity", activity_id=activity.id), code=303)


def _attendance_page(activity: Activity, form: AttendanceForm, refusal: CapExceeded | None = None, status: int = 200):
    members, recorded = people.attendance_candidates(activity)
    return render_template(
        "compensation/activity.html",
        activity=activity,
        form=form,
        members=members,
        recorded=recorded,
        refusal=refusal,
        payments=can_see_payments(),
    ), status


def _attendance_form(activity: Activity) -> AttendanceForm:
    form = AttendanceForm(data={"minutes": activity.duration_minutes} if request.method == "GET" else None)
    members, recorded = people.attendance_candidates(activity)
    form.volunteer_ids.choices = [(v.id, v.name) for v in members if v.id not in recorded]
    return form


@bp.route("/staff/allowances/activities/<int:activity_id>")
@roles_required(*VIEWERS)
def activity(activity_id: int):
    activity = get_or_404(Activity, activity_id)
    return _attendance_page(activity, _attendance_form(activity))


@bp.route("/staff/allowances/activities/<int:activity_id>/attendance", methods=["POST"])
@roles_required(*PAYERS)
def record_attendance(activity_id: int):
    """The attendance list of a meeting: one claim per ticked volunteer, all or nothing."""
    activity = get_or_404(Activity, activity_id)
    form = _attendance_form(activity)
    if not form.validate_on_submit():
        return _attendance_page(activity, form, status=400)
    chosen = people.volunteers_by_id(form.volunteer_ids.data)
    entries = [
        ClaimEntry(chosen[i], form.minutes.data, activity=activity, rate_cents_per_hour=form.rate.cents)
        for i in form.volunteer_ids.data
        if i in chosen
    ]
    try:
        claims = services.record_claims(entries, current_user, reduce=form.confirm_reduce.data)
    except ClaimDateRefused as error:
        db.session.rollback()
        form.volunteer_ids.errors.append(error.describe())
        return _attendance_page(activity, form, status=400)
    except CapExceeded as error:
        db.session.rollback()
        return _attendance_page(activity, form, refusal=error, status=409)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d claim is recorded and waits for approval.",
            "%(num)d claims are recorded and wait for approval.",
            len(claims),
        ),
        "success",
    )
    return redirect(url_for("compensation.activity", activity_id=activity.id), code=303)


# --- claims ----------------------------------------------------------------------------------
def _claim_form() -> ClaimForm:
    form = ClaimForm(
        data={"activity_id": request.args.get("activity", 0, type=int)} if request.method == "GET" else None
    )
    form.volunteer_id.choices = [(0, _("Choose a volunteer"))] + [(v.id, v.name) for v in people.active_volunteers()]
    form.activity_id.choices = [(0, _("No activity: fill in a date"))] + [
        (a.id, f"{a.held_on.isoformat()} · {a.team.name} · {a.title}") for a in people.recent_activities()
    ]
    return form


@bp.route("/staff/allowances/claims/new", methods=["GET", "POST"])
@roles_required(*PAYERS)
def claim_new():
    form = _claim_form()
    refusal, status = None, 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        volunteer = get_or_404(Volunteer, form.volunteer_id.data)
        activity = get_or_404(Activity, form.activity_id.data) if form.activity_id.data else None
        minutes = form.minutes.data or (activity.duration_minutes if activity else 0)
        entry = ClaimEntry(
            volunteer,
            minutes,
            activity=activity,
            worked_on=form.worked_on.data,
            rate_cents_per_hour=form.rate.cents,
            note=form.note.data or "",
        )
        try:
            [claim] = services.record_claims([entry], current_user, reduce=form.confirm_reduce.data)
        except ClaimDateRefused as error:
            db.session.rollback()
            (form.activity_id if activity else form.worked_on).errors.append(error.describe())
        except (CapExceeded, DuplicateClaim) as error:
            db.session.rollback()
            refusal, status = error, 409
        else:
            db.session.commit()
            if claim.was_reduced:
                flash(
                    _("The claim is recorded at the lower amount of %(amount)s.", amount=_money(claim.amount_cents)),
                    "success",
                )
            else:
                flash(_("The claim is recorded. Another treasurer must approve it."), "success")
            return redirect(url_for("compensation.volunteer", volunteer_id=volunteer.id), code=303)
    unconfirmed = [row.year for row in services.limit_rows() if not row.confirmed]
    return render_template("compensation/claim_form.html", form=form, refusal=refusal, unconfirmed=unconfirmed), status


def _money(cents: int) -> str:
    return money(cents)


@bp.route("/staff/allowances/claims")
@roles_required(*PAYERS)
def claims():
    code = request.args.get("status", "submitted")
    status = None if code == "all" else ClaimStatus.__members__.get(code)
    if status is None and code != "all":
        abort(400)
    page = paginate(services.claims_query(status))
    services.record_view("allowance.claims.view", None, status=code)
    db.session.commit()
    reject_forms = {claim.id: RejectForm(prefix=f"claim{claim.id}") for claim in page.items}
    expenses = services.waiting_expenses() if code == "submitted" else []
    expense_reject_forms = {e.id: RejectForm(prefix=f"expense{e.id}") for e in expenses}
    return render_template(
        "compensation/claims.html",
        page=page,
        status=code,
        reject_forms=reject_forms,
        tick_all=request.args.get("tick") == "all",
        expenses=expenses,
        expense_reject_forms=expense_reject_forms,
    )


@bp.route("/staff/allowances/expenses/<int:expense_id>/approve", methods=["POST"])
@roles_required(*PAYERS)
def expense_approve(expense_id: int):
    expense = get_or_404(Expense, expense_id)
    services.approve_expense(expense, current_user)
    db.session.commit()
    flash(_("The expense is approved. It is paid with the next payout."), "success")
    return redirect(url_for("compensation.claims"), code=303)


@bp.route("/staff/allowances/expenses/<int:expense_id>/reject", methods=["POST"])
@roles_required(*PAYERS)
def expense_reject(expense_id: int):
    expense = get_or_404(Expense, expense_id)
    form = RejectForm(prefix=f"expense{expense.id}")
    if form.validate_on_submit():
        services.reject_expense(expense, form.reason.data or "", current_user)
        db.session.commit()
        flash(_("The expense is rejected."), "success")
    return redirect(url_for("compensation.claims"), code=303)


@bp.route("/staff/allowances/claims/approve", methods=["POST"])
@roles_required(*PAYERS)
def claims_approve():
    """Bulk approval: first a summary to confirm (approving cannot be undone), then each
    claim is approved as on its own, never by the one who recorded it."""
    form = BulkApproveForm()
    waiting = db.session.scalars(services.claims_query(ClaimStatus.submitted)).all()
    form.claim_ids.choices = [(c.id, str(c.id)) for c in waiting]
    if not form.validate_on_submit():
        for error in form.claim_ids.errors or [_("Tick at least one claim.")]:
            flash(str(error), "error")
        return redirect(url_for("compensation.claims"), code=303)
    chosen = [c for c in waiting if c.id in set(form.claim_ids.data)]
    mine_ok, own = services.split_for_approval(chosen, current_user)
    if not form.confirmed.data:
        return render_template(
            "compensation/claims_confirm.html",
            claims=mine_ok,
            own=own,
            total_cents=sum(c.amount_cents for c in mine_ok),
        )
    outcome = services.approve_claims(mine_ok, current_user)
    db.session.commit()
    if outcome.approved:
        flash(
            ngettext(
                "%(num)d claim is approved (%(amount)s).",
                "%(num)d claims are approved (%(amount)s).",
                len(outcome.approved),
                amount=_money(outcome.approved_cents),
            ),
            "success",
        )
    for claim, reason in outcome.refused:
        flash(
            _(
                "Not approved: %(name)s, %(date)s. %(reason)s",
                name=claim.volunteer.name,
                date=format_date(claim.worked_on),
                reason=reason,
            ),
            "error",
        )
    if own:
        flash(
            ngettext(
                "You recorded %(num)d of the ticked claims yourself; another treasurer must approve it.",
                "You recorded %(num)d of the ticked claims yourself; another treasurer must approve them.",
                len(own),
            ),
            "error",
        )
    return redirect(url_for("compensation.claims"), code=303)


@bp.route("/staff/allowances/claims/<int:claim_id>/approve", methods=["POST"])
@roles_required(*PAYERS)
def claim_approve(claim_id: int):
    claim = get_or_404(Claim, claim_id)
    services.approve_claim(claim, current_user)
    db.session.commit()
    flash(_("The claim is approved."), "success")
    return redirect(url_for("compensation.claims"), code=303)


@bp.route("/staff/allowances/claims/<int:claim_id>/reject", methods=["POST"])
@roles_required(*PAYERS)
def claim_reject(claim_id: int):
    claim = get_or_404(Claim, claim_id)
    form = RejectForm(prefix=f"claim{claim.id}")
    if form.validate_on_submit():
        services.reject_claim(claim, form.reason.data or "", current_user)
        db.session.commit()
        flash(_("The claim is rejected."), "success")
    return redirect(url_for("compensation.claims"), code=303)


# --- fiscal limits ---------------------------------------------------------------------------
@bp.route("/staff/allowances/limits")
@roles_required(*VIEWERS)
def limits():
    return render_template("compensation/limits.html", rows=services.limit_rows())


@bp.route("/staff/allowances/limits/new", methods=["GET", "POST"])
@bp.route("/staff/allowances/limits/<int:year>/edit", methods=["GET", "POST"])
@roles_required(Role.admin)
def limit_form(year: int | None = None):
    row = None
    if year is not None:
        row = services.limit_row(year)
        if row is None:
            abort(404)
    data = None
    if row is not None and request.method == "GET":
        confirmed, source = split_status(row.status)
        data = {
            "year": row.year,
            "hourly_max_21_plus": row.hourly_max_21_plus_cents,
            "hourly_max_under_21": row.hourly_max_under_21_cents,
            "monthly_max": row.monthly_max_cents,
            "yearly_max": row.yearly_max_cents,
            "confirmed": confirmed,
            "source": source,
        }
    form = LimitForm(data=data)
    if form.validate_on_submit():
        other = services.limit_row(form.year.data)
        if other is not None and other is not row:
            form.year.errors.append(_("There are already limits for this year."))
        else:
            services.save_limit(
                row,
                {
                    "year": form.year.data,
                    "hourly_max_21_plus_cents": form.hourly_max_21_plus.cents,
                    "hourly_max_under_21_cents": form.hourly_max_under_21.cents,
                    "monthly_max_cents": form.monthly_max.cents,
                    "yearly_max_cents": form.yearly_max.cents,
                    "status": form.status_text(),
                },
                current_user,
            )
            db.session.commit()
            flash(_("The limits are saved."), "success")
            return redirect(url_for("compensation.limits"), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("compensation/limit_form.html", form=form, row=row), status
