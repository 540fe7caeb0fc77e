"""What the voting domain shows on other domains' pages. Connected to the signals of
app/signals.py in create_app; importing this module changes nothing."""

from __future__ import annotations

from flask import session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.signals import Link
from app.views import public_url
from app.voting import services
from app.voting.models import BudgetRound, RoundStatus

READABLE = (RoundStatus.closed, RoundStatus.results_published)


def home_section(_sender) -> dict:
    """Open votes, and the rounds whose result can be read (provisional or final), newest first."""
    results = db.session.scalars(
        select(BudgetRound).where(BudgetRound.status.in_(READABLE)).order_by(BudgetRound.id.desc()).limit(5)
    )
    return {"rounds": services.open_rounds(), "results": list(results)}


def council_page_links(council) -> list[Link]:
    """On a council's staff page: the evening page first, then run the vote of each of its rounds."""
    rounds = db.session.scalars(select(BudgetRound).where(BudgetRound.council_id == council.id))
    return [
        Link(url_for("voting.evening", council_id=council.id), _("The evening, step by step")),
        *(Link(url_for("voting.live", round_id=r.id), _("Run the vote: %(name)s", name=r.name)) for r in rounds),
    ]


def council_results_links(council, absolute: bool = False) -> list[Link]:
    """On a council's public pages and its outcomes e-mail: the results of its votes."""
    rounds = db.session.scalars(
        select(BudgetRound)
        .where(BudgetRound.council_id == council.id, BudgetRound.status.in_(READABLE))
        .order_by(BudgetRound.id)
    )
    make = public_url if absolute else url_for
    return [
        Link(make("voting.public_results", round_id=r.id), _("See the results: %(name)s", name=r.name)) for r in rounds
    ]


def ticket_next_step(ticket) -> dict | None:
    """On the resident's welcome page: go to the vote, or back to the receipt."""
    round_ = services.round_for_ticket(ticket)
    if round_ is None:
        return None
    label = _("See your receipt") if ticket.voted and session.get("receipt") else _("Go to the vote")
    return {"url": url_for("voting.public_ballot"), "label": label}
