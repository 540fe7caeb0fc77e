"""The second step of signing in (a code from the authenticator app, or a recovery code) and
enrolling in it. Board, treasurers and administrators cannot open anything else until they have
enrolled (see enforce_enrolment)."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.auth import audit, bp, services, two_step
from app.auth.forms import TwoStepCodeForm
from app.auth.models import User
from app.extensions import db, limiter
from app.security import safe_next_url, staff_required

PENDING = "two_step_pending"  # {"user": id, "version": n, "next": url, "at": epoch seconds}
ENROL = "two_step_enrol"
PENDING_SECONDS = 300
#: Endpoints an un-enrolled board member, treasurer or administrator may still reach.
OPEN_DURING_ENROLMENT = {"auth.two_step_setup", "auth.logout", "static", "public.set_language", "public.home"}


def ask_for_code(user: User, next_url: str):
    session[PENDING] = {"user": user.id, "version": user.session_version, "next": next_url, "at": int(time.time())}
    return redirect(url_for("auth.two_step_code"), code=303)


def after_login(user: User, next_url: str):
    """Right after a password-only login: those who must use two steps enrol first."""
    if two_step.required_for(user) and user.totp_enabled_at is None:
        session[ENROL] = next_url
        return redirect(url_for("auth.two_step_setup"), code=303)
    return redirect(next_url, code=303)


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, pending["user"])
    if user is None or not user.active or user.session_version != pending["version"]:
        return None
    return user


def _pending_key() -> str:
    pending = session.get(PENDING) or {}
    return f"two-step:{pending.get('user')}"


def _code_failed(response) -> bool:
    return response.status_code != 303


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
    key_func=_pending_key,
    methods=["POST"],
    deduct_when=_code_failed,
)
def two_step_code():
    user = _pending_user()
    if user is None:
        flash(_("Please log in again."), "error")
        return redirect(url_for("auth.login"), code=303)
    form = TwoStepCodeForm()
    if form.validate_on_submit():
        how = two_step.verify(user, form.code.data)
        if how is not None:
            next_url = session.pop(PENDING)["next"]
            audit.record("auth.login", user, actor=user, second_step=how)
            db.session.commit()
            login_user(user)
            if how == "recovery":
                flash(
                    _("You used a recovery code. %(num)d are left.", num=two_step.recovery_codes_left(user)), "success"
                )
            return redirect(safe_next_url(next_url, url_for("public.dashboard")), code=303)
        audit.record("auth.login_failed", user, actor=None, second_step="code")
        db.session.commit()
        form.code.errors.append(_("This code is not right. Use the newest code from the app, or a recovery code."))
    return render_template("auth/two_step_code.html", form=form), 400 if form.errors else 200


@bp.route("/staff/two-step", methods=["GET", "POST"])
@staff_required
def two_step_setup():
    user = current_user._get_current_object()
    form = TwoStepCodeForm()
    if request.method == "POST" and form.validate_on_submit():
        codes = two_step.confirm_enrolment(user, form.code.data)
        if codes is not None:
            db.session.commit()
            next_url = session.pop(ENROL, None)
            return render_template(
                "auth/two_step_codes.html", codes=codes, next_url=safe_next_url(next_url, url_for("public.dashboard"))
            )
        form.code.errors.append(_("This code is not right. Check the time on your phone and type the newest code."))
    if user.totp_enabled_at is not None and request.method == "GET" and request.args.get("again") != "1":
        return render_template("auth/two_step_setup.html", enabled=True, form=form)
    secret = two_step.pending_secret(user) if request.method == "POST" else None
    if secret is None:
        secret = two_step.start_enrolment(user)
        db.session.commit()
    uri = two_step.provisioning_uri(user, secret)
    return render_template(
        "auth/two_step_setup.html",
        enabled=False,
        form=form,
        secret=secret,
        qr_svg=_qr_svg(uri),
        required=two_step.required_for(user),
    ), 400 if form.errors else 200


def _qr_svg(data: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg") :]  # inline in the page: without the XML declaration


@bp.before_app_request
def enforce_enrolment():
    """A board member, treasurer or administrator who logged in without a second step enrols
    before anything else opens."""
    if ENROL not in session or not current_user.is_authenticated:
        return None
    if request.endpoint in OPEN_DURING_ENROLMENT or current_user.totp_enabled_at is not None:
        if current_user.totp_enabled_at is not None:
            session.pop(ENROL, None)
        return None
    return redirect(url_for("auth.two_step_setup"), code=303)


__all__ = ["after_login", "ask_for_code", "services"]
