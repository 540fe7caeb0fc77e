"""Results: the board previews and approves them; once published everyone can read,
download and recount them."""

from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, session, stream_with_context, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.cache import BoundedCache
from app.confirm import ConfirmForm, confirmation_page, confirmed
from app.database import read_only
from app.extensions import db
from app.roles import Role
from app.security import roles_required
from app.views import download, get_or_404
from app.voting import bp, exports
from app.voting.explain import RANKING_NOTE, RULE_EXPLANATIONS, why
from app.voting.models import BudgetRound, ResultFrozen, RoundStatus
from app.voting.permissions import load_round
from app.voting.results import counted_ballots, round_results
from app.voting.services import after_close, approve_results, flush_box, pending_paper, turnout, turnout_by_part

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
    "pb": "text/plain; charset=utf-8",
}


def load_results_round(round_id: int, provisional: bool = False) -> BudgetRound:
    """Published results are public; closed but unpublished ones only for the board (404 for
    others), except the results page itself (`provisional`): once the vote is closed on the
    evening, everyone sees the outcome there, marked provisional until the board approves."""
    round_ = get_or_404(BudgetRound, round_id)
    if round_.status == RoundStatus.results_published or (provisional and round_.status == RoundStatus.closed):
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
    fresh = PAGES.get((round_id, str(get_locale()))) if cacheable else None
    if fresh and time.monotonic() - fresh[0] < PAGE_SECONDS:
        return fresh[2]  # published results do not change: no database work at all
    round_ = load_results_round(round_id, provisional=True)
    key = (round_.status.value, counted_ballots(round_))
    if cacheable and fresh and fresh[1] == key:
        page = fresh[2]
    else:
        page = _results_page(round_)
    if cacheable:
        PAGES.set((round_id, str(get_locale())), (time.monotonic(), key, page))
    return page


#: Rendered results pages of closed and published rounds, per language, for visitors without an
#: account: when a council's results are revealed, 300 phones ask for the same page at
#: once. Re-checked against the number of counted ballots every few seconds, so a late
#: paper confirmation shows up.
PAGE_SECONDS = 5.0
PAGES = BoundedCache(maxsize=64)  # (round id, language): closed and published rounds


def _results_page(round_: BudgetRound) -> str:
    parts = round_results(round_)
    titles = {str(p.option.id): p.option.proposal.title for part in parts for p in part.projects}
    board = current_user.is_authenticated and current_user.has_role(Role.board)
    final = round_.status == RoundStatus.results_published
    hashes = round_.results_hashes or (ballot_list_hashes(round_, parts) if final or board else None)
    return render_template(
        "voting/results.html",
        round=round_,
        parts=parts,
        why=lambda p: why(p, titles),
        turnout=turnout(round_),
        by_part=turnout_by_part(round_),
        rule_text=rule_text(round_),
        hashes=hashes,
        board=board,
        formats=list(EXPORT_TYPES),
        approval=exports.approval_of(round_),
        approve_form=ConfirmForm(),
        pending=pending_paper(round_),
    )


def ballot_list_hashes(round_: BudgetRound, parts) -> list[str]:
    """SHA-256 of each part's public ballot list: the one recorded at approval, else computed
    and kept per worker while the count is unchanged (every phone of an evening shows it)."""
    if round_.results_hashes:
        return round_.results_hashes
    key = (round_.status.value, counted_ballots(round_))
    cached = HASHES.get(round_.id)
    if cached is None or cached[0] != key:
        cached = (key, exports.ballot_list_hashes(round_, parts))
        HASHES.set(round_.id, cached)
    return cached[1]


HASHES = BoundedCache(maxsize=64)  # round id -> (status and count, hashes)


def outcome_for_phones(round_: BudgetRound) -> dict | None:
    """The result as a resident's receipt page shows it: nothing while the vote runs, the
    provisional outcome once it is closed, the final one with its hash after approval."""
    if round_.status not in (RoundStatus.closed, RoundStatus.results_published):
        return None
    parts = round_results(round_)
    final = round_.status == RoundStatus.results_published
    return {"final": final, "parts": parts, "hashes": ballot_list_hashes(round_, parts) if final else None}


@bp.route("/rounds/<int:round_id>/results.<any(csv, xlsx, json, pdf, pb):kind>")
@read_only
def public_export(round_id: int, kind: str):
    round_ = load_results_round(round_id)
    parts = round_results(round_)
    name = f"round-{round_.id}-results.{kind}"
    if kind == "csv":
        body = stream_with_context(exports.csv_stream(parts, round_))
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
    body = stream_with_context(
        exports.iter_pabulib(round_, part, exports.ballots_of(round_, part), exports.with_receipts(round_))
    )
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
    round_ = load_round(round_id, "approve")
    if round_.status == RoundStatus.results_published:
        raise ResultFrozen("approved")
    flush_box(round_)  # nothing may wait in the ballot box when the count is frozen
    parts = round_results(round_)
    form = ConfirmForm()
    if not confirmed(form):
        facts = [
            (_("Ballots counted"), turnout(round_).ballots),
            (_("Funded plans"), sum(len(part.funded) for part in parts)),
            (_("Paper ballots waiting for a second check"), pending_paper(round_)),
        ]
        return confirmation_page(
            form,
            _("Approve and publish the results"),
            facts,
            request.full_path,
            url_for("voting.public_results", round_id=round_.id),
        )
    approve_results(round_, parts, current_user)
    db.session.commit()
    after_close(round_id)
    flash(_("The results are approved and published."), "success")
    return redirect(url_for("voting.public_results", round_id=round_id), code=303)
