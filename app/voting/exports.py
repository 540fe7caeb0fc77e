"""Board exports of a round's results: CSV, XLSX, JSON, PDF and Pabulib `.pb`.

The `.pb` and ballot-list exports are streamed, so large rounds use flat memory."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _

from app import disclosure
from app.exports import Euros, iter_csv, xlsx_bytes
from app.extensions import db
from app.formatting import local_date
from app.reach.templating import count_code
from app.types import AMSTERDAM
from app.voting.explain import why
from app.voting.forms import ballot_type_choices, rule_choices
from app.voting.models import Ballot, BudgetRound
from app.voting.report import render_report
from app.voting.results import PartResult
from app.voting.rules import deserialize
from counting import pabulib

PB_VOTE_TYPE = {"approval": "approval", "knapsack": "approval", "cumulative": "cumulative", "ranking": "ordinal"}


def part_label(part: PartResult) -> str:
    return part.sub_budget.neighbourhood.name if part.sub_budget else _("Whole round")


def approval_of(round_: BudgetRound) -> dict | None:
    """The frozen record of an approved result: who approved it, when, and the SHA-256 of
    each part's public ballot list at that moment. None before approval."""
    if round_.results_approved_at is None:
        return None
    approver = round_.results_approved_by
    return {
        "approved_by": approver.name if approver else "",
        "approved_at": round_.results_approved_at.isoformat(),
        "ballot_list_sha256": list(round_.results_hashes or []),
    }


def approval_rows(round_: BudgetRound) -> list[tuple[str, str]]:
    approval = approval_of(round_)
    if approval is None:
        return [(_("Approved"), _("no"))]
    return [(_("Approved by"), approval["approved_by"]), (_("Approved on"), approval["approved_at"])] + [
        (f"{_('SHA-256 of the ballot list')} {index + 1}", digest)
        for index, digest in enumerate(approval["ballot_list_sha256"])
    ]


def result_rows(parts: list[PartResult], titles: dict[str, str] | None = None):
    """One row per plan, for people: money in euros (Euros cells), yes/no in the reader's language."""
    titles = titles if titles is not None else titles_of(parts)
    for part in parts:
        for p in part.projects:
            yield (
                part_label(part),
                p.option.id,
                p.option.proposal_id,
                p.option.proposal.title,
                Euros(p.option.cost_cents),
                p.support,
                _("yes") if p.funded else _("no"),
                why(p, titles),
            )


def result_header() -> tuple[str, ...]:
    return (
        _("Part"),
        _("Ballot option"),
        _("Plan number"),
        _("Title"),
        _("Cost (€)"),
        _("Support"),
        _("Funded"),
        _("Why"),
    )


def csv_stream(parts: list[PartResult], round_: BudgetRound | None = None) -> Iterator[bytes]:
    """One row per plan (small, built at once), each with the approval: who, when, and the
    SHA-256 of its part's public ballot list (empty before approval)."""
    approval = approval_of(round_) if round_ is not None else None
    rows = []
    for index, part in enumerate(parts):
        stamp = ("", "", "")
        if approval is not None:
            hashes = approval["ballot_list_sha256"]
            stamp = (approval["approved_by"], approval["approved_at"], hashes[index] if index < len(hashes) else "")
        rows += [row + stamp for row in result_rows([part], titles_of(parts))]
    return iter_csv(result_header() + (_("Approved by"), _("Approved on"), _("SHA-256 of the ballot list")), rows)


def titles_of(parts: list[PartResult]) -> dict[str, str]:
    return {str(p.option.id): p.option.proposal.title for part in parts for p in part.projects}


def published_counts(parts: list[PartResult], turnout):
    """The ballot counts every export shows, under the one rule (`app.disclosure`): the
    total, by phone and on paper, and per part. Values are numbers, "<5" or "hidden"."""
    total, by_channel = turnout.published()
    if len(parts) > 1:
        per_part, _total = disclosure.table({index: p.ballots for index, p in enumerate(parts)})
    else:
        per_part = {0: total}
    return (
        count_code(total),
        {k: count_code(v) for k, v in by_channel.items()},
        [count_code(per_part[index]) for index in range(len(parts))],
    )


def xlsx(round_: BudgetRound, parts: list[PartResult], turnout) -> bytes:
    ballots, by_channel, per_part_ballots = published_counts(parts, turnout)
    channels = {"phone": _("By phone"), "online": _("Online"), "council": _("At the council"), "paper": _("On paper")}
    summary = [
        (_("Round"), round_.name),
        (_("Counting rule"), str(dict(rule_choices()).get(round_.rule, round_.rule))),
        (_("Ballot type"), str(dict(ballot_type_choices()).get(round_.ballot_type, round_.ballot_type))),
        (_("Budget (€)"), Euros(round_.budget_cents)),
        (_("Spent (€)"), Euros(sum(p.spent_cents for p in parts))),
        (_("Ballots"), ballots),
        *[(_("Ballots: %(channel)s", channel=channels.get(channel, channel)), n) for channel, n in by_channel.items()],
        *approval_rows(round_),
    ]
    per_part = [
        (part_label(p), Euros(p.budget_cents), Euros(p.spent_cents), n, len(p.funded))
        for p, n in zip(parts, per_part_ballots)
    ]
    return xlsx_bytes(
        [
            (_("Summary"), (_("What"), _("Value")), summary),
            (_("Plans"), result_header(), result_rows(parts)),
            (_("Per buurt"), (_("Part"), _("Budget (€)"), _("Spent (€)"), _("Ballots"), _("Funded plans")), per_part),
        ]
    )


#: What the fields of results.json mean; money is always whole euro cents.
JSON_FIELDS = {
    "units": {
        "money": "EUR cents (integer; 179950 is EUR 1,799.50)",
        "support": "votes (approval, knapsack), points (cumulative) or Borda points (ranking)",
    },
    "round": "id, name, status, rule (greedy | mes), ballot_type, budget_cents",
    "turnout": "ballots: confirmed ballots; by_channel: online, council, paper",
    "parts": "one per sub-budget (buurt: null for the whole round): budget_cents, spent_cents, ballots, "
    "selected (funded option ids), projects",
    "projects": "option_id (ballot option), proposal_id (the plan), title, cost_cents, support, funded, "
    "reason (counting step), why (plain text)",
}


def as_json(round_: BudgetRound, parts: list[PartResult], turnout) -> dict:
    titles = {str(p.option.id): p.option.proposal.title for part in parts for p in part.projects}
    ballots, by_channel, per_part_ballots = published_counts(parts, turnout)
    return {
        "fields": JSON_FIELDS,
        "round": {
            "id": round_.id,
            "name": round_.name,
            "status": round_.status.value,
            "rule": round_.rule,
            "ballot_type": round_.ballot_type,
            "budget_cents": round_.budget_cents,
        },
        # Counts of people: a number, "<5" (fewer than 5) or "hidden" (it would give a "<5" away).
        "turnout": {"ballots": ballots, "by_channel": by_channel},
        "approval": approval_of(round_),
        "parts": [
            {
                "buurt": part.sub_budget.neighbourhood.name if part.sub_budget else None,
                "budget_cents": part.budget_cents,
                "spent_cents": part.spent_cents,
                "ballots": part_ballots,
                "selected": [str(p.option.id) for p in part.projects if p.funded],
                "projects": [
                    {
                        "option_id": p.option.id,
                        "proposal_id": p.option.proposal_id,
                        "title": p.option.proposal.title,
                        "cost_cents": p.option.cost_cents,
                        "support": p.support,
                        "funded": p.funded,
                        "reason": p.step.reason if p.step else None,
                        "why": why(p, titles),
                    }
                    for p in part.projects
                ],
            }
            for part, part_ballots in zip(parts, per_part_ballots)
        ],
    }


CENTS_PER_EURO = 100


def _pabulib_date(moment: datetime | None) -> str:
    """``DD.MM.YYYY`` in Amsterdam, as Pabulib writes dates."""
    return moment.astimezone(AMSTERDAM).strftime("%d.%m.%Y") if moment else ""


def pabulib_meta(round_: BudgetRound, part: PartResult) -> dict[str, str]:
    """META of a part's Pabulib file: amounts in euros (Pabulib's unit is the currency, not
    cents); dates from the voting window (else the council evening, else the round's creation);
    the rule as Pabulib names it, with a comment on how MES was completed."""
    begin = round_.opens_at or (round_.council.starts_at if round_.council else None) or round_.created_at
    end = round_.closes_at or (round_.council.ends_at if round_.council else None) or begin
    meta = {
        "description": round_.name,
        "country": "Netherlands",
        "unit": "Amsterdam",
        "district": "Nieuw-West",
        "subunit": part.sub_budget.neighbourhood.name if part.sub_budget else "",
        "instance": str(round_.id),
        "num_projects": str(len(part.projects)),
        "num_votes": str(part.ballots),
        "budget": pabulib.amount_text(Decimal(part.budget_cents) / CENTS_PER_EURO),
        "vote_type": PB_VOTE_TYPE[round_.ballot_type],
        "rule": pabulib.PABULIB_RULES[round_.rule],
        "date_begin": _pabulib_date(begin),
        "date_end": _pabulib_date(end),
        "language": "nl",
        "currency": "EUR",
    }
    if round_.ballot_type == "ranking" and round_.max_choices:
        meta["max_length"] = str(round_.max_choices)
    if round_.rule == "mes":
        meta["comment"] = (
            "#1: Method of Equal Shares with Add1 completion: the budget per voter is raised in steps of 1 EUR "
            "until the outcome is exhaustive (pabutools voter_budget_increment=1 on this file). "
            "#2: The money left is then spent by the greedy rule: projects with selected=2 were funded by this "
            "greedy fill, projects with selected=1 by Equal Shares."
        )
    return {key: value for key, value in meta.items() if value}


def iter_pabulib(round_: BudgetRound, part: PartResult, ballots_factory, with_receipts: bool) -> Iterator[str]:
    """A Pabulib file of one part of the round, written by the one Pabulib writer
    (`counting.pabulib`). Voter ids are 1..n (anonymous) or the receipts (the public ballot
    list), in receipt order either way.

    The head is built at once from the loaded results; the ballots are read while
    streaming (`ballots_factory()` runs the query), so memory stays flat."""
    vote_type = PB_VOTE_TYPE[round_.ballot_type]
    marks = _selected_marks(part)
    score = "points" if vote_type == "cumulative" else "votes"
    projects = [
        pabulib.PabulibProject(
            str(p.option.id),
            Decimal(p.option.cost_cents) / CENTS_PER_EURO,
            p.option.proposal.title,
            {score: str(p.support), "selected": marks[str(p.option.id)]},
        )
        for p in sorted(part.projects, key=lambda p: p.option.id)
    ]
    votes = _votes(round_.ballot_type, vote_type, ballots_factory, with_receipts)
    return pabulib.iter_dump(
        pabulib_meta(round_, part),
        projects,
        votes,
        project_columns=[score, "selected"],
        points=vote_type == "cumulative",
    )


def _selected_marks(part: PartResult) -> dict[str, str]:
    """1: funded by the round's rule (greedy, or Equal Shares); 2: by the greedy fill after
    Equal Shares; 0: not funded."""
    marks = {}
    for p in part.projects:
        fill = p.step is not None and p.step.reason == "completion_funded"
        marks[str(p.option.id)] = (pabulib.FILL_MARK if fill else "1") if p.funded else "0"
    return marks


def _votes(ballot_type: str, vote_type: str, ballots_factory, with_receipts: bool) -> Iterator[pabulib.PabulibVote]:
    for index, (receipt, stored) in enumerate(ballots_factory(), start=1):
        voter = receipt if with_receipts else str(index)
        choices = deserialize(ballot_type, stored)
        if vote_type == "cumulative":
            yield pabulib.PabulibVote(
                voter, [str(oid) for oid, _points in choices], [points for _oid, points in choices]
            )
        else:
            yield pabulib.PabulibVote(voter, [str(oid) for oid in choices])


def ballot_list_hashes(round_: BudgetRound, parts: list[PartResult]) -> list[str]:
    """The SHA-256 of each part's public ballot list, exactly as ballots.pb serves it."""
    return [sha256_of(iter_pabulib(round_, part, ballots_of(round_, part), with_receipts(round_))) for part in parts]


def sha256_of(chunks: Iterator[str]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk.encode("utf-8"))
    return digest.hexdigest()


def json_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def pdf(round_: BudgetRound, parts: list[PartResult], turnout, rule_text: str) -> bytes:
    """The board report: the approver, the date and the ballot-list hashes recorded at approval."""
    approver = round_.results_approved_by
    return render_report(
        round_,
        parts,
        turnout,
        rule_text,
        hashes=round_.results_hashes or ballot_list_hashes(round_, parts),
        approver=approver.name if approver else None,
        approved_on=local_date(round_.results_approved_at, "long") if round_.results_approved_at else None,
    )


def with_receipts(round_: BudgetRound) -> bool:
    """The board's choice before opening: receipts beside the choices, or choices only."""
    return round_.publication != "choices"


def ballots_of(round_: BudgetRound, part: PartResult):
    """A function that reads the part's confirmed ballots in batches: in receipt order, or,
    when the list shows choices only, sorted by the choices themselves (so the place of a
    ballot in the list says nothing about its receipt, and the file and its hash stay
    reproducible)."""
    from sqlalchemy import select

    query = select(Ballot.receipt, Ballot.choices).where(Ballot.round_id == round_.id, Ballot.confirmed.is_(True))
    if part.sub_budget is not None:
        query = query.where(Ballot.sub_budget_id == part.sub_budget.id)
    order = (Ballot.receipt,) if with_receipts(round_) else (Ballot.choices, Ballot.receipt)
    query = query.order_by(*order).execution_options(yield_per=2000)
    return lambda: db.session.execute(query)
