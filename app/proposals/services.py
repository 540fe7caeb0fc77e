"""Writing, reviewing and publishing proposals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, or_, select

from app.auth import audit
from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.places.models import Alliance, Neighbourhood
from app.proposals import search
from app.proposals.images import ProcessedImage
from app.proposals.lifecycle import PUBLIC_STATUSES, REVIEW_QUEUE_STATUSES, IllegalTransition, Status
from app.proposals.models import CostLine, ProgressUpdate, Proposal, ProposalImage, ProposalTranslation


class NotFeasible(DomainError):
    def __init__(self):
        super().__init__("a plan that is not feasible cannot be approved")

    def describe(self) -> str:
        from flask_babel import gettext as _

        return _("A plan that is not feasible cannot be approved. Reject it or send it back.")


class OwnPlan(DomainError):
    def __init__(self):
        super().__init__("a reviewer never reviews a plan of their own alliance")

    def describe(self) -> str:
        from flask_babel import gettext as _

        return _("You wrote this plan (or your alliance did): another reviewer must review it.")


@dataclass
class ProposalInput:
    title: str
    summary: str
    description: str
    language: str
    domain: str
    neighbourhood_id: int | None
    origin: str
    origin_detail: str
    backers_count: int
    cost_lines: list[tuple[str, int]]
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)
    image: ProcessedImage | None = None
    image_alt: str = ""
    remove_image: bool = False


@dataclass(frozen=True)
class Filters:
    domain: str | None = None
    neighbourhood_id: int | None = None
    status: Status | None = None
    text: str | None = None


def alliance_for(user: User, neighbourhood_id: int | None) -> Alliance | None:
    """The alliance a proposal belongs to: the one of its buurt if the author leads it,
    else the author's first alliance."""
    led = [a for a in db.session.scalars(select(Alliance)) if user in a.aanjagers]
    for alliance in led:
        if alliance.neighbourhood_id == neighbourhood_id:
            return alliance
    return led[0] if led else None


def save_draft(proposal: Proposal | None, author: User, data: ProposalInput) -> Proposal:
    creating = proposal is None
    if creating:
        proposal = Proposal(author=author, status=Status.draft)
        db.session.add(proposal)
    proposal.title = data.title.strip()
    proposal.summary = data.summary.strip()
    proposal.description = data.description.strip()
    proposal.language = data.language
    proposal.domain = data.domain
    proposal.neighbourhood_id = data.neighbourhood_id or None
    proposal.alliance = alliance_for(author, proposal.neighbourhood_id) if creating else proposal.alliance
    proposal.origin = data.origin
    proposal.origin_detail = data.origin_detail.strip()
    proposal.backers_count = data.backers_count or 0
    proposal.cost_lines = [
        CostLine(position=index, description=what, amount_cents=cents)
        for index, (what, cents) in enumerate(data.cost_lines)
    ]
    _set_translations(proposal, data.translations)
    if data.remove_image and proposal.image is not None:
        proposal.image = None
    if data.image is not None:
        proposal.image = ProposalImage(
            content_type=data.image.content_type,
            data=data.image.data,
            thumbnail=data.image.thumbnail,
            width=data.image.width,
            height=data.image.height,
            alt_text=data.image_alt.strip(),
        )
    elif proposal.image is not None:
        proposal.image.alt_text = data.image_alt.strip()
    audit.record("proposal.create" if creating else "proposal.edit", proposal, actor=author)
    return proposal


def _set_translations(proposal: Proposal, values: dict[str, tuple[str, str]]) -> None:
    existing = {t.locale: t for t in proposal.translations}
    proposal.translations = []
    for locale, (title, summary) in values.items():
        row = existing.get(locale) or ProposalTranslation(locale=locale)
        row.title, row.summary = title, summary
        proposal.translations.append(row)


def submit(proposal: Proposal, actor: User) -> None:
    proposal.submit(actor)
    audit.record("proposal.submit", proposal, actor=actor)


def withdraw(proposal: Proposal, actor: User, reason: str) -> None:
    proposal.withdraw(actor, reason)
    audit.record("proposal.withdraw", proposal, actor=actor)


def review(
    proposal: Proposal,
    reviewer: User,
    *,
    decision: str,
    feasible: bool,
    adjusted_cost_cents: int | None,
    public_reason: str,
    internal_note: str,
) -> None:
    """Record the feasibility check and move the proposal on. A submitted proposal is
    first taken into review, so the timeline shows both steps."""
    if proposal.status == Status.submitted:
        proposal.move_to(Status.in_review, reviewer)
    target = {"approve": Status.approved, "reject": Status.rejected, "changes": Status.changes_requested}[decision]
    if target == Status.approved and not feasible:
        raise NotFeasible()
    if proposal.author_id == reviewer.id or (proposal.alliance is not None and reviewer in proposal.alliance.aanjagers):
        raise OwnPlan()
    proposal.move_to(target, reviewer, public_reason)
    proposal.feasible = feasible
    proposal.adjusted_cost_cents = adjusted_cost_cents
    proposal.public_reason = public_reason.strip() if target != Status.changes_requested else proposal.public_reason
    proposal.review_comment = public_reason.strip() if target == Status.changes_requested else ""
    proposal.internal_note = internal_note.strip()
    audit.record("proposal.review", proposal, actor=reviewer, decision=decision, feasible=feasible)


def add_progress(proposal: Proposal, actor: User, happened_on: date, text: str, spent_cents: int) -> ProgressUpdate:
    if proposal.status == Status.funded:
        proposal.move_to(Status.in_progress, actor)
    elif proposal.status != Status.in_progress:
        raise IllegalTransition(proposal.status, Status.in_progress)
    update = ProgressUpdate(happened_on=happened_on, text=text.strip(), spent_cents=spent_cents, author_id=actor.id)
    proposal.progress_updates.append(update)
    audit.record("proposal.progress", proposal, actor=actor, spent_cents=spent_cents)
    return update


def complete(proposal: Proposal, actor: User) -> None:
    proposal.move_to(Status.completed, actor)
    audit.record("proposal.complete", proposal, actor=actor)


# --- queries --------------------------------------------------------------------------
def _filtered(query: Select, filters: Filters) -> Select:
    if filters.domain:
        query = query.where(Proposal.domain == filters.domain)
    if filters.neighbourhood_id:
        query = query.where(Proposal.neighbourhood_id == filters.neighbourhood_id)
    if filters.status:
        query = query.where(Proposal.status == filters.status)
    if filters.text:
        query = query.where(Proposal.id.in_(_text_matches(filters.text)))
    return query


def _text_matches(text: str) -> list[int]:
    """Ids of proposals whose title or summary, in any language, contains ``text`` ignoring
    case and accents. Compared in Python (search.fold): the same on SQLite and PostgreSQL,
    whatever the database's collation; a programme has hundreds of plans, not millions."""
    texts: dict[int, list[str]] = {}
    for proposal_id, title, summary in db.session.execute(select(Proposal.id, Proposal.title, Proposal.summary)):
        texts.setdefault(proposal_id, []).extend((title, summary))
    for proposal_id, title, summary in db.session.execute(
        select(ProposalTranslation.proposal_id, ProposalTranslation.title, ProposalTranslation.summary)
    ):
        texts.setdefault(proposal_id, []).extend((title, summary))
    return [proposal_id for proposal_id, values in texts.items() if search.matches(text, values)]


def public_query(filters: Filters) -> Select:
    query = select(Proposal).where(Proposal.status.in_(PUBLIC_STATUSES))
    return _filtered(query, filters).order_by(Proposal.updated_at.desc(), Proposal.id.desc())


def review_queue(filters: Filters) -> Select:
    statuses = [filters.status] if filters.status else list(REVIEW_QUEUE_STATUSES)
    query = select(Proposal).where(Proposal.status.in_(statuses))
    return _filtered(query, Filters(filters.domain, filters.neighbourhood_id, None, filters.text)).order_by(
        Proposal.updated_at
    )


def proposals_of(user: User) -> list[Proposal]:
    led = [a.id for a in db.session.scalars(select(Alliance)) if user in a.aanjagers]
    query = select(Proposal).where(or_(Proposal.author_id == user.id, Proposal.alliance_id.in_(led)))
    return list(db.session.scalars(query.order_by(Proposal.updated_at.desc())))


def get_public(proposal_id: int) -> Proposal | None:
    proposal = db.session.get(Proposal, proposal_id)
    return proposal if proposal is not None and proposal.is_public else None


def approved_proposals() -> list[Proposal]:
    """Proposals that can be put on a ballot."""
    query = select(Proposal).where(Proposal.status == Status.approved).order_by(Proposal.domain, Proposal.title)
    return list(db.session.scalars(query))


def buurt_name(proposal: Proposal) -> str | None:
    return proposal.neighbourhood.name if proposal.neighbourhood else None


def neighbourhood_choices_for_form(district_label) -> list[tuple[int, str]]:
    buurten = db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.name))
    return [(0, district_label)] + [(b.id, b.name) for b in buurten]
