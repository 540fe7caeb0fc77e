"""The resident's ticket: scan or type the code, get signed in, share optional details.

The code is exchanged for a session at once and the browser is sent (303) to a URL
without it, so no secret stays in history, referrers or logs."""
from __future__ import annotations

import secrets
from functools import wraps

from flask import current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.councils import bp, services
from app.councils.codes import normalize_code
from app.councils.forms import CodeForm, ProfileForm
from app.councils.models import Ticket
from app.extensions import db, limiter
from app.places.services import neighbourhood_choices

SESSION_TICKET = "ticket_id"
SESSION_DEVICE = "device_token"
#: Random per sign-in: ballot forms carry a MAC under it (see voting.services.new_form_token).
SESSION_FORM_KEY = "form_key"
REFUSALS = {
    "unknown": _l("We do not know this code. Check it and try again, or ask the facilitator."),
    "expired": _l("This ticket can no longer be used. Ask the facilitator for a new one."),
    "other_device": _l("This ticket is already in use on another phone. Ask the facilitator for help."),
}

#: Other domains add what a signed-in resident can do next (for example: vote).
NEXT_STEPS: list = []


def _failed() -> bool:
    return bool(g.get("ticket_failed"))


def _code_key() -> str:
    raw = (request.view_args or {}).get("code") or request.form.get("code") or ""
    return "ticket-code:" + (normalize_code(raw) or raw.strip().upper()[:64])


def _ticket_limits(view):
    view = limiter.limit(lambda: current_app.config["TICKET_ATTEMPTS_PER_CODE"], key_func=_code_key,
                         methods=["GET", "POST"], exempt_when=lambda: request.method == "GET" and not request.view_args)(view)
    return limiter.limit(lambda: current_app.config["TICKET_FAILURES_PER_IP"], deduct_when=lambda _r: _failed())(view)


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
    ticket_id = session.get(SESSION_TICKET)
    return db.session.get(Ticket, ticket_id) if ticket_id else None


def _exchange(code: str):
    result, token = services.sign_in(code, session.get(SESSION_DEVICE), session_ticket_id=session.get(SESSION_TICKET))
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
    g.ticket_failed = True
    db.session.rollback()
    flash(str(REFUSALS[result.outcome]), "error")
    return redirect(url_for("councils.public_enter_code"), code=303)


@bp.route("/t/<code>")
@_ticket_limits
def public_ticket(code: str):
    return _exchange(code)


@bp.route("/t", methods=["GET", "POST"])
@_ticket_limits
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
            ticket.council_id, neighbourhood_id=form.neighbourhood_id.data, age_band=form.age_band.data,
            consent=form.consent.data, first_name=form.first_name.data or "", email=form.email.data or "",
            locale=str(get_locale() or "nl"), first_time=form.first_time.data,
        )
        db.session.commit()
        if mix_due:
            services.mix_profiles_after_save(council_id)
        session["profile_saved"] = True
        flash(_("Thank you!"), "success")
        return redirect(url_for("councils.public_welcome"), code=303)
    steps = [step for provider in NEXT_STEPS if (step := provider(ticket))]
    return render_template("councils/welcome.html", ticket=ticket, form=form, steps=steps,
                           profile_saved=session.get("profile_saved"))
