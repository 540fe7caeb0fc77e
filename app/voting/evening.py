"""The council evening as one flow, for the facilitator: a checklist page from the council
to its outcomes, the vote set up inside a budget envelope the board approved, one action
that starts council and vote together, and closing with the counts on screen."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.councils.models import Council, CouncilStatus
from app.errors import DomainError
from app.extensions import db
from app.voting import services
from app.voting.models import BudgetRound, RoundStatus


class EveningRefused(DomainError):
    """The evening cannot take this step (no vote, no plans, paper waiting, …)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    def describe(self) -> str:
        from flask_babel import gettext as _

        return str(
            {
                "no_round": _("Choose the budget for this evening first."),
                "no_options": _("Put at least one plan on the ballot before opening the vote."),
                "taken": _("This budget is already used for another evening."),
                "not_draft": _("This vote has opened. Its rules, budget and plans can no longer change."),
                "paper_pending": _("Paper ballots are waiting for a second facilitator. Confirm them first."),
                "not_open": _("The vote is not open."),
            }.get(self.code, _("The evening cannot go from this step to that one."))
        )


def round_of(council: Council) -> BudgetRound | None:
    return db.session.scalar(
        select(BudgetRound).where(BudgetRound.council_id == council.id).order_by(BudgetRound.id).limit(1)
    )


def envelopes() -> list[BudgetRound]:
    """Budgets the board prepared for a council evening and no evening uses yet."""
    return list(
        db.session.scalars(
            select(BudgetRound)
            .where(
                BudgetRound.council_id.is_(None),
                BudgetRound.status == RoundStatus.draft,
                BudgetRound.eligibility == "council",
            )
            .order_by(BudgetRound.id)
        )
    )


def attach_envelope(council: Council, round_: BudgetRound, actor: User) -> None:
    if round_.council_id is not None or round_.status != RoundStatus.draft or round_.eligibility != "council":
        raise EveningRefused("taken")
    if round_of(council) is not None:
        raise EveningRefused("taken")
    round_.council_id = council.id
    audit.record("evening.attach_round", round_, actor=actor, council=council.id)


def start(council: Council, round_: BudgetRound | None, actor: User) -> None:
    """Open the council and its vote in one step."""
    if round_ is None:
        raise EveningRefused("no_round")
    if not round_.options:
        raise EveningRefused("no_options")
    if round_.status == RoundStatus.draft:
        services.open_round(round_, actor)
    if council.status in (CouncilStatus.planned, CouncilStatus.closed):
        council.move_to(CouncilStatus.open)
        audit.record("council.open", council, actor=actor)


def close(council: Council, round_: BudgetRound, actor: User) -> None:
    """Close the vote (the reveal) and the council; refused while paper ballots wait."""
    if round_.status != RoundStatus.open:
        raise EveningRefused("not_open")
    if services.turnout(round_).unconfirmed_paper:
        raise EveningRefused("paper_pending")
    services.close_round(round_, actor)
    if council.status == CouncilStatus.open:
        council.move_to(CouncilStatus.closed)
        audit.record("council.closed", council, actor=actor)


@dataclass
class Step:
    label: str
    done: bool
    url: str | None = None
    action: str | None = None  # link text


def checklist(council: Council, round_: BudgetRound | None, tickets: int) -> list[Step]:
    from flask import url_for
    from flask_babel import gettext as _

    status = round_.status if round_ else None
    past_draft = status is not None and status != RoundStatus.draft
    return [
        Step(_("Council planned"), True, url_for("councils.create", council_id=council.id), _("Edit")),
        Step(_("Vote attached"), round_ is not None),
        Step(_("Plans on the ballot"), bool(round_ and round_.options)),
        Step(_("Tickets printed"), tickets > 0, url_for("councils.manage", council_id=council.id), _("Make tickets")),
        Step(
            _("Paper ballot printed"),
            past_draft,
            url_for("voting.paper_ballot_pdf", round_id=round_.id) if round_ else None,
            _("Print the paper ballot"),
        ),
        Step(_("Council and vote open"), past_draft),
        Step(_("Vote closed"), status in (RoundStatus.closed, RoundStatus.results_published)),
        Step(_("Results approved by the board"), status == RoundStatus.results_published),
        Step(
            _("Outcomes published"),
            council.status == CouncilStatus.outcomes_published,
            url_for("councils.outcomes", council_id=council.id),
            _("Write the outcomes"),
        ),
    ]
