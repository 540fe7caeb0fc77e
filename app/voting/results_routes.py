"""Results: the board previews and approves them; once published everyone can read,
download and recount them."""
from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, session, stream_with_context, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.councils.links import Link
from app.database import read_only
from app.extensions import db
from app.roles import Role
from app.security import roles_required
from app.views import download, get_or_404
from app.voting import bp, exports
from app.voting.explain import RANKING_NOTE, RULE_EXPLANATIONS, why
from app.voting.models import BudgetRound, RoundStatus
from app.voting.results import counted_ballots, round_results
from app.voting.services import after_close, approve_results, flush_box, turnout, turnout_by_part
from app.voting.templating import ROUND_LINK_PROVIDERS

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
    "pb": "text/plain; charset=utf-8",
}


def _links(round_, staff):
    if round_.status == RoundStatus.results_published or (staff and round_.status == RoundStatus.closed):
        return [Link(url_for("voting.public_results", round_id=round_.id), _("See the results"))]
    return []


ROUND_LINK_PROVIDERS.append(_links)


def load_results_round(round_id: int) -> BudgetRound:
    """Published results are public; closed but unpublished ones only for the board (404 for others)."""
    round_ = get_or_404(BudgetRound, round_id)
    if round_.status == RoundStatus.results_published:
        return round_
    if round_.status == RoundStatus.closed and current_user.is_authenticated and current_user.has_role(Role.board):
        return round_
    abort(404)


def rule_text(round_: BudgetRound) -> str:
    text = str(RULE_EXPLANATIONS[round_.rule])
    return text + (" " + str(RANKING_NOTE) if round_.ballot_type == "ranking" else "")


@bp.route("/rounds/<int:round_id>/results")
@read_only
def public_results(round_id: int):
    cacheable = not current_user.is_authenticated and not session.get("_flashes")
    fresh = _PAGES.get((round_id, str(get_locale()))) if cacheable else None
    if fresh and time.monotonic() - fresh[0] < PAGE_SECONDS:
        return fresh[2]  # published results do not change: no database work at all
    round_ = load_results_round(round_id)
    key = (round_.status.value, counted_ballots(round_))
    if cacheable and fresh and fresh[1] == key:
        page = fresh[2]
    else:
        page = _results_page(round_)
    if cacheable and round_.status == RoundStatus.results_published:
        _PAGES[(round_id, str(get_locale()))] = (time.monotonic(), key, page)
    return page


#: Rendered results pages of published rounds, per language, for visitors without an
#: account: when a council's results are revealed, 300 phones ask for the same page at
#: once. Re-checked against the number of counted ballots every few seconds, so a late
#: paper confirmation shows up.
_PAGES: dict[tuple, tuple] = {}
PAGE_SECONDS = 5.0


def _results_page(round_: BudgetRound) -> str:
    parts = round_results(round_)
    titles = {str(p.option.id): p.option.proposal.title for part in parts for p in part.projects}
    hashes = [exports.sha256_of(exports.iter_pabulib(round_, part, exports.ballots_of(round_, part), exports.with_receipts(round_))) for part in parts]
    return render_template("voting/results.html", round=round_, parts=parts, why=lambda p: why(p, titles),
                           turnout=turnout(round_), by_part=turnout_by_part(round_), rule_text=rule_text(round_),
                           hashes=hashes, formats=list(EXPORT_TYPES))


@bp.route("/rounds/<int:round_id>/results.<any(csv, xlsx, json, pdf, pb):kind>")
@read_only
def public_export(round_id: int, kind: str):
    round_ = load_results_round(round_id)
    parts = round_results(round_)
    name = f"round-{round_.id}-results.{kind}"
    if kind == "csv":
        body = stream_with_context(exports.csv_stream(parts))
    elif kind == "xlsx":
        body = exports.xlsx(round_, parts, turnout(round_))
    elif kind == "json":
        body = exports.json_bytes(exports.as_json(round_, parts, turnout(round_)))
    elif kind == "pdf":
        body = exports.pdf(round_, parts, turnout(round_), rule_text(round_))
    else:
        part = _part(parts)
        body = stream_with_context(exports.iter_pabulib(round_, part, exports.ballots_of(round_, part), False))
        name = f"round-{round_.id}-{part.sub_budget.neighbourhood_id if part.sub_budget else 'all'}.pb"
    return download(body, EXPORT_TYPES[kind], name, private=round_.status != RoundStatus.results_published)


@bp.route("/rounds/<int:round_id>/ballots.pb")
@read_only
def public_ballot_list(round_id: int):
    """The public, recountable list: every receipt with its choices."""
    round_ = load_results_round(round_id)
    part = _part(round_results(round_))
    body = stream_with_context(exports.iter_pabulib(round_, part, exports.ballots_of(round_, part), exports.with_receipts(round_)))
    name = f"round-{round_.id}-ballots.pb"
    return download(body, EXPORT_TYPES["pb"], name, private=round_.status != RoundStatus.results_published)


def _part(parts):
    """`?part=N` picks one sub-budget (a Pabulib file holds one budget); the first by default."""
    index = request.args.get("part", default=0, type=int)
    if index is None or not 0 <= index < len(parts):
        abort(404)
    return parts[index]


@bp.route("/staff/rounds/<int:round_id>/approve", methods=["POST"])
@roles_required(Role.board)
def approve(round_id: int):
    round_ = get_or_404(BudgetRound, round_id)
    flush_box(round_)  # nothing may wait in the ballot box when the count is frozen
    approve_results(round_, round_results(round_), current_user)
    db.session.commit()
    after_close(round_id)
    flash(_("The results are approved and published."), "success")
    return redirect(url_for("voting.public_results", round_id=round_id), code=303)
