"""The resident's ticket: scan or type the code, get signed in, share optional details.

The code is exchanged for a session at once and the browser is sent (303) to a URL
without it, so no secret stays in history, referrers or logs."""

from __future__ import annotations

import secrets
from functools import wraps

from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import signals
from app.councils import bp, services
from app.councils.codes import normalize_code
from app.councils.forms import CodeForm, ProfileForm
from app.councils.models import Ticket
from app.database import reads_then_writes, start_writing
from app.extensions import client_address, db
from app.places.services import neighbourhood_choices
from app.ratelimits import count_failure, refuse_if_over
from app.signals import collect
from app.types import utcnow

SESSION_TICKET = "ticket_id"
SESSION_DEVICE = "device_token"
#: Random per sign-in: ballot forms carry a MAC under it (see voting.services.new_form_token).
SESSION_FORM_KEY = "form_key"
REFUSALS = {
    "unknown": _l("We do not know this code. Check it and try again, or ask the facilitator."),
    "expired": _l("This ticket can no longer be used. Ask the facilitator for a new one."),
    "other_device": _l("This ticket is already in use on another phone. Ask the facilitator for help."),
    "not_open": _l("The council has not started yet. Try again when the facilitator opens it."),
}


def _code_key(raw: str) -> str:
    return "code:" + (normalize_code(raw) or raw.strip().upper()[:64])


def _failure_keys(code: str) -> list[tuple[str, str]]:
    """Wrong codes count per source address, per code and per device cookie, each per minute."""
    config = current_app.config
    keys = [
        ("address:" + client_address(), config["TICKET_FAILURES_PER_IP"]),
        (_code_key(code), config["TICKET_ATTEMPTS_PER_CODE"]),
    ]
    device = session.get(SESSION_DEVICE)
    if device:
        keys.append(("device:" + services.device_hash(device), config["TICKET_FAILURES_PER_DEVICE"]))
    return keys


def no_store(view):
    """Ballot, receipt and welcome pages are never kept by the browser or a proxy: on a
    shared phone the next resident must not find them in the cache or the back button."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapped


def current_ticket() -> Ticket | None:
    """The signed-in ticket of this browser, as long as it is still bound to this browser (the
    desk can release a ticket to another browser: the first one then loses it); a session
    whose ticket was voided or expired since it signed in ends here."""
    ticket_id = session.get(SESSION_TICKET)
    ticket = db.session.get(Ticket, ticket_id) if ticket_id else None
    if ticket is None or ticket.device_hash is None:  # released by the desk
        return None
    token = session.get(SESSION_DEVICE)
    if not token or services.device_hash(token) != ticket.device_hash:
        return None
    if not ticket.is_valid(utcnow()):
        session.pop(SESSION_TICKET, None)
        flash(str(REFUSALS["expired"]), "error")
        return None
    return ticket


def _exchange(code: str):
    result, token = services.sign_in(
        code, session.get(SESSION_DEVICE), session_ticket_id=session.get(SESSION_TICKET), before_claim=start_writing
    )
    if result.outcome in ("ok", "again"):
        ticket_id = result.ticket.id  # read before the commit expires it (no second transaction)
        db.session.commit()
        if session.get(SESSION_TICKET) != ticket_id:
            # Another ticket on this browser (a shared phone): nothing of the previous one stays.
            session.clear()
        session.permanent = True
        session[SESSION_TICKET] = ticket_id
        session[SESSION_DEVICE] = token
        session.setdefault(SESSION_FORM_KEY, secrets.token_urlsafe(16))
        return redirect(url_for("councils.public_welcome"), code=303)
    db.session.rollback()
    # Only failures count, and only after the lookup: a valid ticket always signs in, so
    # nobody's wrong codes (an attacker's behind the venue's address) lock residents out.
    session.setdefault(SESSION_DEVICE, services.new_device_token())
    keys = _failure_keys(code)
    refuse_if_over("ticket-failure", keys)
    count_failure("ticket-failure", keys)
    flash(str(REFUSALS[result.outcome]), "error")
    return redirect(url_for("councils.public_enter_code"), code=303)


@bp.route("/t/<code>")
@reads_then_writes
def public_ticket(code: str):
    return _exchange(code)


@bp.route("/t", methods=["GET", "POST"])
@reads_then_writes
def public_enter_code():
    form = CodeForm()
    if form.validate_on_submit():
        return _exchange(form.code.data)
    return render_template("councils/enter_code.html", form=form)


@bp.route("/t/welcome", methods=["GET", "POST"])
@no_store
def public_welcome():
    ticket = current_ticket()
    if ticket is None:
        return redirect(url_for("councils.public_enter_code"), code=303)
    form = ProfileForm()
    form.neighbourhood_id.choices = neighbourhood_choices(blank_label=_("I'd rather not say"))
    if ticket.council_id and not session.get("profile_saved") and request.form.get("skip") and form.is_submitted():
        session["profile_saved"] = True  # skipped: nothing is stored
        return redirect(url_for("councils.public_welcome"), code=303)
    if ticket.council_id and not session.get("profile_saved") and form.validate_on_submit():
        council_id = ticket.council_id
        mix_due = services.save_profile(
            ticket.council_id,
            neighbourhood_id=form.neighbourhood_id.data,
            age_band=form.age_band.data,
            consent=form.consent.data,
            first_name=form.first_name.data or "",
            email=form.email.data or "",
            locale=str(get_locale() or "nl"),
            first_time=form.first_time.data,
        )
        db.session.commit()
        if mix_due:
            services.mix_profiles_after_save(council_id)
        session["profile_saved"] = True
        flash(_("Thank you!"), "success")
        return redirect(url_for("councils.public_welcome"), code=303)
    steps = collect(signals.ticket_next_step, ticket)
    return render_template(
        "councils/welcome.html", ticket=ticket, form=form, steps=steps, profile_saved=session.get("profile_saved")
    )
