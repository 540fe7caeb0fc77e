"""What the voting domain shows on other domains' pages. Connected to the signals of
app/signals.py in create_app; importing this module changes nothing."""
from __future__ import annotations

from flask import session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.signals import Link
from app.voting import services
from app.voting.models import BudgetRound


def home_section(_sender) -> dict:
    return {"rounds": services.open_rounds()}


def council_page_links(council) -> list[Link]:
    """On a council's staff page: run the vote of each of its rounds."""
    rounds = db.session.scalars(select(BudgetRound).where(BudgetRound.council_id == council.id))
    return [Link(url_for("voting.live", round_id=r.id), _("Run the vote: %(name)s", name=r.name)) for r in rounds]


def ticket_next_step(ticket) -> dict | None:
    """On the resident's welcome page: go to the vote, or back to the receipt."""
    round_ = services.round_for_ticket(ticket)
    if round_ is None:
        return None
    label = _("See your receipt") if ticket.voted and session.get("receipt") else _("Go to the vote")
    return {"url": url_for("voting.public_ballot"), "label": label}
