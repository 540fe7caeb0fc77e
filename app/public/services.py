"""What the home page and the staff dashboards show."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from app.auth.models import Role, User
from app.extensions import db


@dataclass(frozen=True)
class Panel:
    role: Role
    title: object
    links: tuple[tuple[str, object], ...]  # (endpoint, label)


def home_overview() -> dict:
    """Upcoming councils and open rounds, from the domains that own them."""
    overview: dict = {"councils": [], "rounds": [], "results": []}
    for provider in _HOME_PROVIDERS:
        overview.update(provider())
    return overview


_HOME_PROVIDERS: list = []


def register_home_provider(provider) -> None:
    """Domain packages add what they want to show on the home page."""
    _HOME_PROVIDERS.append(provider)


_PANELS: list[Panel] = [
    Panel(Role.admin, _l("Administration"), (
        ("auth.users", _l("Staff accounts")),
        ("auth.invite", _l("Invite a staff member")),
        ("places.index", _l("Areas, buurten and wijkallianties")),
        ("auth.audit_log", _l("Audit log")),
    )),
]


def register_panel(panel: Panel) -> None:
    _PANELS.append(panel)


def dashboard_panels(user: User) -> list[Panel]:
    """The panels of every role the user holds, each shown once."""
    shown: list[Panel] = []
    for panel in _PANELS:
        if user.has_role(panel.role) and not any(p.title == panel.title and p.links == panel.links for p in shown):
            shown.append(panel)
    return shown


def check_database() -> None:
    db.session.execute(text("SELECT 1"))
