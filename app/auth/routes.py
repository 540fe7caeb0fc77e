from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.auth import audit_log as audit_log_view
from app.auth import bp, services, two_step_routes
from app.auth.forms import (
    AcceptInvitationForm,
    AuditFilterForm,
    InviteForm,
    LoginForm,
    PreferencesForm,
    UserRolesForm,
    role_labels,
)
from app.auth.models import Invitation, Role, User
from app.errors import DomainError
from app.exports import iter_csv
from app.extensions import client_address, db, limiter
from app.ratelimits import count_failure, refuse_if_over
from app.security import roles_required, safe_next_url, staff_required
from app.types import utcnow
from app.views import download, get_or_404, paginate

DEVICE_COOKIE = "staff_device"
DEVICE_COOKIE_DAYS = 180


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="staff-device")


def _trusted_device(email: str) -> str | None:
    """The id of this browser's device cookie when it signed in to this account before."""
    try:
        data = _device_serializer().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        return None
    return data.get("id") if isinstance(data, dict) and data.get("email") == email else None


def _failure_keys(email: str) -> list[tuple[str, str]]:
    """A browser that signed in to this account before counts on its own (OWASP device
    cookies); any other counts per address and per account. Nothing locks the account."""
    config = current_app.config
    device = _trusted_device(email)
    if device:
        return [("device:" + device, config["LOGIN_FAILURES_PER_DEVICE"])]
    return [
        ("address:" + client_address(), config["LOGIN_FAILURES_PER_IP"]),
        ("account:" + email, config["LOGIN_FAILURES_PER_ACCOUNT"]),
    ]


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("public.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        keys = _failure_keys(email)
        refuse_if_over("login-failure", keys)  # a short wait for this source, never a lock-out
        user = services.authenticate(form.email.data, form.password.data)
        next_url = safe_next_url(request.args.get("next"), url_for("public.dashboard"))
        if user is not None and user.totp_enabled_at is not None:
            # The password was right; the second step (two_step_routes) finishes the login.
            db.session.commit()
            return two_step_routes.ask_for_code(user, next_url)
        services.record_login(form.email.data, user)
        db.session.commit()
        if user is not None:
            login_user(user)
            response = two_step_routes.after_login(user, next_url)
            device = _trusted_device(email) or secrets.token_urlsafe(16)
            response.set_cookie(
                DEVICE_COOKIE,
                _device_serializer().dumps({"email": email, "id": device}),
                max_age=DEVICE_COOKIE_DAYS * 86400,
                httponly=True,
                samesite="Lax",
                secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            )
            return response
        count_failure("login-failure", keys)
        form.password.errors.append(_("The e-mail address or the password is not right."))
    return render_template("auth/login.html", form=form), 200


@bp.route("/logout", methods=["POST"])
@staff_required
def logout():
    current_user.end_sessions()  # ends this session and every other one of this account
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("public.home"), code=303)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def accept_invitation(token: str):
    invitation = services.find_usable_invitation(token)
    if invitation is None:
        return render_template("auth/invitation_invalid.html"), 404
    form = AcceptInvitationForm(known_words=(invitation.name, invitation.email))
    if form.validate_on_submit():
        user = services.accept_invitation(invitation, form.password.data)
        db.session.commit()
        login_user(user)
        flash(_("Welcome! Your account is ready."), "success")
        return redirect(url_for("public.dashboard"), code=303)
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/staff/users")
@roles_required(Role.admin)
def users():
    people = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template(
        "auth/users.html", users=people, invitations=services.invitations(), now=utcnow(), role_labels=role_labels()
    )


def _mail_invitation(invitation, token: str) -> None:
    """After the commit: send, store the outcome, tell the admin."""
    sent = services.send_invitation_mail(invitation, token)
    db.session.commit()
    if sent:
        flash(_("The invitation is e-mailed to %(email)s.", email=invitation.email), "success")
    else:
        flash(_("The invitation is saved, but the e-mail could not be sent. Try “Send again” later."), "error")


@bp.route("/staff/users/invite", methods=["GET", "POST"])
@roles_required(Role.admin)
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation, token = services.create_invitation(
                form.email.data, form.name.data, form.roles.data, current_user
            )
        except DomainError:
            form.email.errors.append(_("There is already an account with this e-mail address."))
        else:
            db.session.commit()
            _mail_invitation(invitation, token)
            return redirect(url_for("auth.users"), code=303)
    return render_template("auth/invite.html", form=form), 400 if form.errors else 200


@bp.route("/staff/users/invitations/<int:invitation_id>/<any(resend, revoke):action>", methods=["POST"])
@roles_required(Role.admin)
def invitation_action(invitation_id: int, action: str):
    invitation = get_or_404(Invitation, invitation_id)
    if action == "revoke":
        services.revoke_invitation(invitation, current_user)
        db.session.commit()
        flash(_("The invitation is withdrawn; its link no longer works."), "success")
    else:
        token = services.renew_invitation(invitation, current_user)
        db.session.commit()
        _mail_invitation(invitation, token)
    return redirect(url_for("auth.users"), code=303)


@bp.route("/staff/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.admin)
def user_detail(user_id: int):
    user = get_or_404(User, user_id)
    if request.method == "POST" and user.id == current_user.id:
        abort(403)  # an administrator never grants roles to themselves
    form = UserRolesForm(data={"roles": sorted(r.value for r in user.roles)} if request.method == "GET" else None)
    if form.validate_on_submit():
        services.set_user_roles(user, form.roles.data)
        db.session.commit()
        flash(_("The roles are saved."), "success")
        return redirect(url_for("auth.user_detail", user_id=user.id), code=303)
    return render_template("auth/user_detail.html", user=user, form=form)


@bp.route("/staff/users/<int:user_id>/active", methods=["POST"])
@roles_required(Role.admin)
def toggle_active(user_id: int):
    user = get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("You cannot switch off your own account."), "error")
    else:
        services.set_user_active(user, not user.active)
        db.session.commit()
    return redirect(url_for("auth.user_detail", user_id=user.id), code=303)


def _audit_filters():
    form = AuditFilterForm(
        request.args,
        actors=audit_log_view.actor_choices(),
        actions=audit_log_view.action_choices(),
        objects=audit_log_view.object_choices(),
    )
    if request.args and not form.validate():
        return form, None
    return form, audit_log_view.AuditFilters(
        actor_id=form.actor.data or None,
        action=form.action.data or None,
        object_type=form.object_type.data or None,
        object_id=(form.object_id.data or "").strip() or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


@bp.route("/staff/audit")
@roles_required(Role.admin, Role.board)
def audit_log():
    form, filters = _audit_filters()
    if filters is None:  # the typed filters stay in the form, with a message beside the field
        return render_template("auth/audit.html", form=form, page=None, view=audit_log_view), 400
    page = paginate(audit_log_view.query(filters))
    return render_template("auth/audit.html", form=form, page=page, view=audit_log_view)


@bp.route("/staff/audit.csv")
@roles_required(Role.admin, Role.board)
def audit_log_csv():
    form, filters = _audit_filters()
    if filters is None:
        return render_template("auth/audit.html", form=form, page=None, view=audit_log_view), 400
    body = stream_with_context(iter_csv(audit_log_view.csv_header(), audit_log_view.csv_rows(filters)))
    return download(body, "text/csv; charset=utf-8", "audit-log.csv")


@bp.route("/staff/preferences", methods=["GET", "POST"])
@staff_required
def preferences():
    form = PreferencesForm(obj=current_user)
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        db.session.commit()
        flash(_("Your preferences are saved."), "success")
        response = redirect(url_for("auth.preferences"), code=303)
        response.delete_cookie("lang")  # the account's language now applies
        return response
    return render_template("auth/preferences.html", form=form)
