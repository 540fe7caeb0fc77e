from __future__ import annotations

from types import SimpleNamespace

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.database import read_only
from app.i18n import LANGUAGE_CODES, LOCALE_COOKIE
from app.public import bp, services
from app.security import safe_next_url, staff_required


@bp.route("/")
@read_only
def home():
    return render_template("public/home.html", **services.home_overview())


@bp.route("/lang/<code>")
def set_language(code: str):
    """Remember the visitor's language. A plain link, so it works without JavaScript."""
    if code not in LANGUAGE_CODES:
        abort(404)
    response = redirect(safe_next_url(request.args.get("next"), url_for("public.home")), code=303)
    response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.route("/privacy")
@read_only
def privacy():
    config = current_app.config
    privacy = SimpleNamespace(
        controller=config["PRIVACY_CONTROLLER"],
        address=config["PRIVACY_ADDRESS"],
        email=config["PRIVACY_EMAIL"],
        dpo_name=config["PRIVACY_DPO_NAME"],
        dpo_email=config["PRIVACY_DPO_EMAIL"],
        contact_days=config["CONTACT_RETENTION_DAYS"],
        batch_size=config["BALLOT_MIX_SIZE"],
        session_hours=int(config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 3600),
    )
    return render_template("public/privacy.html", privacy=privacy)


@bp.route("/toegankelijkheid")
@read_only
def accessibility():
    """The accessibility statement, after the Dutch model (scope, status, known problems, feedback)."""
    from datetime import date

    from flask import current_app

    return render_template(
        "public/accessibility.html",
        contact=current_app.config["ACCESSIBILITY_CONTACT"],
        statement_date=date(2026, 12, 1),
    )


@bp.route("/healthz")
def health():
    services.check_database()
    return jsonify(status="ok")


@bp.route("/staff")
@staff_required
def dashboard():
    return render_template("public/dashboard.html", panels=services.dashboard_panels(current_user))
