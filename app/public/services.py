"""What the home page and the staff dashboards show."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from app import signals
from app.auth.models import Role, User
from app.extensions import db
from app.signals import Panel, collect


def home_overview() -> dict:
    """Upcoming councils and open rounds, from the domains that own them (signals.home_page)."""
    overview: dict = {"councils": [], "rounds": [], "results": []}
    for section in collect(signals.home_page):
        overview.update(section)
    return overview


ADMIN_PANEL = Panel(
    Role.admin,
    _l("Administration"),
    (
        ("auth.users", _l("Staff accounts")),
        ("auth.invite", _l("Invite a staff member")),
        ("places.index", _l("Areas, buurten and wijkallianties")),
        ("auth.audit_log", _l("Audit log")),
    ),
)


def dashboard_panels(user: User) -> list[Panel]:
    """The panels of every role the user holds, each shown once, in the order create_app lists them."""
    shown: list[Panel] = []
    for panel in current_app.extensions["wijkstem.panels"]:
        if user.has_role(panel.role) and not any(p.title == panel.title and p.links == panel.links for p in shown):
            shown.append(panel)
    return shown


def check_database() -> None:
    db.session.execute(text("SELECT 1"))
