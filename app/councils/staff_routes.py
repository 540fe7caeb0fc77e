"""Facilitators: schedule councils, print tickets, sign residents in at the desk, publish outcomes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import Length

from app.auth.models import User, UserRole
from app.confirm import ConfirmForm, confirmation_page, confirmed
from app.councils import bp, services
from app.councils.codes import format_code
from app.councils.forms import (
    CouncilForm,
    DeskCodeForm,
    OutcomesForm,
    PlanNextForm,
    TicketForm,
    VoidForm,
)
from app.councils.models import Council, CouncilStatus, TicketState, TicketStateError
from app.councils.permissions import load_council, may
from app.councils.sheets import (
    SheetHeader,
    TicketPrint,
    render_poster,
    render_ticket_sheet,
)
from app.domains import domain
from app.exports import csv_bytes
from app.extensions import db
from app.places.services import area_choices, neighbourhood_choices
from app.roles import Role
from app.security import roles_required
from app.signals import Panel
from app.types import AMSTERDAM
from app.views import download, public_url, short_address

MANAGERS = (Role.facilitator, Role.board, Role.admin)

PANELS = (
    Panel(
        Role.facilitator,
        _l("Resident councils"),
        (
            ("councils.staff_list", _l("All councils")),
            ("councils.create", _l("Plan a council")),
            ("councils.plan_next", _l("Plan the next round")),
        ),
    ),
)


def load_managed(council_id: int) -> Council:
    return load_council(council_id, "edit")


def load_run(council_id: int) -> Council:
    return load_council(council_id, "run")


def _facilitator_choices(form: CouncilForm) -> None:
    people = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.facilitator, User.active.is_(True)).order_by(User.name)
    ).all()
    form.facilitator_ids.choices = [(u.id, u.name) for u in people]


def to_utc(local: datetime) -> datetime:
    return local.replace(tzinfo=AMSTERDAM).astimezone(ZoneInfo("UTC"))


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None)


@bp.route("/staff/councils")
@roles_required(*MANAGERS)
def staff_list():
    return render_template("councils/staff_list.html", councils=services.councils_newest_first())


@bp.route("/staff/councils/new", methods=["GET", "POST"])
@bp.route("/staff/councils/<int:council_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def create(council_id: int | None = None):
    council = load_managed(council_id) if council_id else None
    data = None
    if council is not None and request.method == "GET":
        data = {
            "starts_at": to_local(council.starts_at),
            "ends_at": to_local(council.ends_at),
            "area_id": council.area_id or 0,
        }
    if council is not None and request.method == "GET":
        data["facilitator_ids"] = [f.id for f in council.facilitators]
    elif council is None and request.method == "GET" and current_user.has_role(Role.facilitator):
        data = {"facilitator_ids": [current_user.id]}
    form = CouncilForm(obj=council, data=data)
    form.area_id.choices = area_choices(blank_label=_("(no area)"))
    _facilitator_choices(form)
    if form.validate_on_submit():
        council = council or Council(created_by_id=current_user.id)
        form.populate_obj(council)
        services.save_council(
            council,
            form.area_id.data or None,
            to_utc(form.starts_at.data),
            to_utc(form.ends_at.data),
            current_user,
            set(form.facilitator_ids.data or []),
        )
        db.session.commit()
        flash(_("The council is saved."), "success")
        return redirect(url_for("councils.manage", council_id=council.id), code=303)
    return render_template("councils/form.html", form=form, council=council)


@bp.route("/staff/councils/<int:council_id>")
@roles_required(*MANAGERS)
def manage(council_id: int):
    council = load_managed(council_id)
    if not may(current_user, "run", council):
        return render_template(
            "councils/manage.html",
            council=council,
            attendance=services.attendance(council),
            ticket_form=None,
            desk_form=None,
            void_form=None,
        )
    ticket_form = TicketForm()
    ticket_form.neighbourhood_id.choices = neighbourhood_choices(blank_label=_("No buurt"))
    return render_template(
        "councils/manage.html",
        council=council,
        attendance=services.attendance(council),
        mails=services.outcome_mail_count(council),
        ticket_form=ticket_form,
        desk_form=DeskCodeForm(),
        void_form=VoidForm(),
    )


def _sheet_header(council: Council) -> SheetHeader:
    instructions = []
    for code in council.languages or ["nl"]:
        with force_locale(code):
            instructions.append((code, _("Scan the code with your phone to sign in and vote.")))
    when = format_datetime(council.starts_at, "EEEE d MMMM y, HH:mm")
    return SheetHeader(
        title=council.title,
        when=when,
        venue=f"{council.venue}, {council.address}".strip(", "),
        instructions=instructions,
        address=short_address("councils.public_enter_code"),
    )


def _ticket_files(council: Council, issued, output: str) -> Response:
    prints = [
        TicketPrint(
            code=code,
            url=public_url("councils.public_ticket", code=code),
            buurt=ticket.neighbourhood.name if ticket.neighbourhood else None,
        )
        for ticket, code in issued
    ]
    stamp = datetime.now(AMSTERDAM).strftime("%Y%m%d-%H%M")
    pdf = lambda: render_ticket_sheet(prints, _sheet_header(council))  # noqa: E731
    table = lambda: csv_bytes(["code", "url", "buurt"], [(format_code(p.code), p.url, p.buurt or "") for p in prints])  # noqa: E731
    if output == "csv":
        return download(table(), "text/csv; charset=utf-8", f"tickets-{council.id}-{stamp}.csv")
    if output == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"tickets-{council.id}-{stamp}.pdf", pdf())
            archive.writestr(f"tickets-{council.id}-{stamp}.csv", table())
        return download(buffer.getvalue(), "application/zip", f"tickets-{council.id}-{stamp}.zip")
    return download(pdf(), "application/pdf", f"tickets-{council.id}-{stamp}.pdf")


@bp.route("/staff/councils/<int:council_id>/tickets", methods=["POST"])
@roles_required(Role.facilitator)
def tickets(council_id: int):
    council = load_run(council_id)
    form = TicketForm()
    form.neighbourhood_id.choices = neighbourhood_choices(blank_label=_("No buurt"))
    if not form.validate_on_submit():
        return render_template(
            "councils/manage.html",
            council=council,
            attendance=services.attendance(council),
            mails=services.outcome_mail_count(council),
            ticket_form=form,
            desk_form=DeskCodeForm(),
            void_form=VoidForm(),
        ), 400
    issued = services.generate_tickets(
        council, form.count.data, current_user, neighbourhood_id=form.neighbourhood_id.data or None
    )
    response = _ticket_files(council, issued, form.output.data)
    db.session.commit()  # only after the file is built: no tickets without their printout
    return response


@bp.route("/staff/councils/<int:council_id>/desk", methods=["POST"])
@roles_required(Role.facilitator)
def desk(council_id: int):
    council = load_run(council_id)
    form = DeskCodeForm()
    if form.validate_on_submit():
        result = services.desk_sign_in(council, form.code.data, current_user)
        if result.outcome == "ok":
            db.session.commit()
            flash(_("Signed in at the desk."), "success")
        else:
            db.session.rollback()
            flash(_("This ticket cannot be signed in: it is unknown, used or expired."), "error")
    return redirect(url_for("councils.manage", council_id=council.id), code=303)


@bp.route("/staff/councils/<int:council_id>/void", methods=["POST"])
@roles_required(Role.facilitator)
def void(council_id: int):
    council = load_run(council_id)
    form = VoidForm()
    if form.validate_on_submit():
        ticket = services.find_ticket(form.code.data)
        if ticket is None or ticket.council_id != council.id:
            flash(_("We do not know this code. Check it and try again, or ask the facilitator."), "error")
        elif ticket.state == TicketState.voted or ticket.state == TicketState.voided:
            raise TicketStateError(ticket.state, TicketState.voided)
        else:
            confirm = ConfirmForm()
            if not confirmed(confirm):
                facts = [(_("Tickets"), 1), (_("Signed in"), _("Yes") if ticket.signed_in_at else _("No"))]
                title = _("Void this ticket and print a new one") if form.reissue.data else _("Void this ticket")
                extra = {"code": form.code.data, **({"reissue": "y"} if form.reissue.data else {})}
                return confirmation_page(
                    confirm, title, facts, request.full_path, url_for("councils.manage", council_id=council.id), extra
                )
            if form.reissue.data:
                _new, code = services.reissue_ticket(ticket, current_user)
                response = _ticket_files(council, [(_new, code)], "pdf")
                db.session.commit()
                return response
            services.void_ticket(ticket, current_user)
            db.session.commit()
            flash(_("The ticket is void."), "success")
    return redirect(url_for("councils.manage", council_id=council.id), code=303)


@bp.route("/staff/councils/<int:council_id>/status/<any(open, closed):target>", methods=["POST"])
@roles_required(Role.facilitator)
def set_status(council_id: int, target: str):
    council = load_run(council_id)
    services.move_council(council, CouncilStatus(target), current_user)
    db.session.commit()
    return redirect(url_for("councils.manage", council_id=council.id), code=303)


@bp.route("/staff/councils/<int:council_id>/poster.pdf")
@roles_required(*MANAGERS)
def poster(council_id: int):
    council = load_managed(council_id)
    lines = []
    for code in council.languages or ["nl"]:
        with force_locale(code):
            lines.append((code, _("Come to the resident council and have your say. Scan for the details.")))
    url = public_url("councils.public_show", council_id=council.id)
    return download(render_poster(url, council.title, lines), "application/pdf", f"poster-{council.id}.pdf")


def outcomes_form_for(council: Council, data=None) -> OutcomesForm:
    """One text box per domain on the agenda."""

    class CouncilOutcomesForm(OutcomesForm):
        pass

    for code in council.domains:
        setattr(
            CouncilOutcomesForm, f"decision_{code}", TextAreaField(domain(code).name, validators=[Length(max=5000)])
        )
    return CouncilOutcomesForm(data=data)


@bp.route("/staff/councils/<int:council_id>/outcomes", methods=["GET", "POST"])
@roles_required(Role.facilitator)
def outcomes(council_id: int):
    council = load_run(council_id)
    data = {"summary": council.outcome_summary} | {f"decision_{k}": v for k, v in council.outcome_decisions.items()}
    form = outcomes_form_for(council, data=data if request.method == "GET" else None)
    if form.validate_on_submit():
        decisions = {code: getattr(form, f"decision_{code}").data for code in council.domains}
        services.save_outcomes(council, form.summary.data, decisions, current_user)
        if form.publish.data:
            services.publish_outcomes(council, current_user)
        db.session.commit()
        if form.publish.data:
            mails = services.send_outcome_mails(council.id)  # after the commit: see the service
            flash(_("The outcomes are published. E-mails sent: %(count)d.", count=mails.sent), "success")
            _flash_failed(mails)
        return redirect(url_for("councils.manage", council_id=council.id), code=303)
    return render_template("councils/outcomes_form.html", council=council, form=form)


@bp.route("/staff/councils/<int:council_id>/outcomes/resend", methods=["POST"])
@roles_required(Role.facilitator)
def resend_outcomes(council_id: int):
    """Send the outcome e-mails the mail server refused once more (audited)."""
    council = load_run(council_id)
    services.queue_failed_outcome_mails(council, current_user)
    db.session.commit()
    mails = services.send_outcome_mails(council.id)
    flash(_("E-mails sent: %(count)d.", count=mails.sent), "success")
    _flash_failed(mails)
    return redirect(url_for("councils.manage", council_id=council.id), code=303)


def _flash_failed(mails: services.MailCount) -> None:
    if mails.failed:
        flash(_("The e-mails could not be sent. Check the mail settings and try again."), "error")


@bp.route("/staff/councils/plan-next", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def plan_next():
    form = PlanNextForm()
    councils = services.councils_newest_first(limit=40)
    form.council_ids.choices = [(c.id, f"{c.title} · {format_datetime(c.starts_at, 'short')}") for c in councils]
    if form.validate_on_submit():
        chosen = [c for c in councils if c.id in form.council_ids.data]
        if not all(may(current_user, "edit", c) for c in chosen):
            abort(403)
        copies = services.plan_next_round(chosen, current_user)
        db.session.commit()
        flash(ngettext("%(num)d council is planned.", "%(num)d councils are planned.", len(copies)), "success")
        return redirect(url_for("councils.staff_list"), code=303)
    return render_template("councils/plan_next.html", form=form)
