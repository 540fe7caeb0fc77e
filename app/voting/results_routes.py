"""Results: the board previews and approves them; once published everyone can read,
download and recount them."""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
import time
from threading import Lock

import brotli
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.cache import BoundedCache
from app.confirm import ConfirmForm, confirmation_page, confirmed
from app.database import read_only
from app.extensions import db
from app.i18n import LANGUAGE_CODES
from app.roles import Role
from app.security import roles_required
from app.sessions import leaves_cookie_alone
from app.shared_answers import Answer, mark
from app.views import download, get_or_404
from app.voting import bp, exports
from app.voting.explain import RANKING_NOTE, RULE_EXPLANATIONS, why
from app.voting.models import BudgetRound, ResultFrozen, RoundStatus
from app.voting.permissions import load_round
from app.voting.results import counted_ballots, round_results
from app.voting.services import (
    STATUS_CACHE,
    after_close,
    approve_results,
    flush_box,
    pending_paper,
    round_status,
    turnout,
    turnout_by_part,
)

log = logging.getLogger("wijkstem")

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
@leaves_cookie_alone
@read_only
def public_results(round_id: int):
    if not _same_page_for_everyone():
        return _results_page(load_results_round(round_id, provisional=True))
    page = _shared_page(round_id, str(get_locale()))
    mark(request, page)
    return page.response()


def _same_page_for_everyone() -> bool:
    """The page a visitor gets is the one every visitor in that language gets: no account
    (the board's preview has a form with its CSRF token, staff see their menu), no message
    waiting to be shown, and no query string (the language links repeat the path)."""
    return (
        request.method in ("GET", "HEAD")
        and not request.query_string
        and not current_user.is_authenticated
        and not session.get("_flashes")
    )


class SharedPage(Answer):
    """A finished results page, as bytes, with its ETag and compressed bodies: when a
    council's results are revealed, 300 phones ask for the same page at once (once Flask
    has sent it, :mod:`app.shared_answers` sends it again without Flask)."""

    def __init__(self, key: tuple, html: str, compress: bool):
        self.key = key  # (round status, counted ballots)
        self.checked_at = time.monotonic()
        bodies = {"identity": html.encode()}
        if compress:  # no secret in this page (see app/wire.py): compressing it leaks nothing
            config = current_app.config
            bodies["br"] = brotli.compress(bodies["identity"], quality=config.get("COMPRESS_BR_LEVEL", 5))
            bodies["gzip"] = gzip.compress(bodies["identity"], config.get("COMPRESS_LEVEL", 6), mtime=0)
        super().__init__(bodies, hashlib.sha256(bodies["identity"]).hexdigest()[:32])

    def fresh(self, status: str | None) -> bool:
        return status == self.key[0] and time.monotonic() - self.checked_at < PAGE_SECONDS

    def response(self):
        encoding = next((e for e in ("br", "gzip") if e in self.bodies and request.accept_encodings[e]), "identity")
        response = current_app.response_class(self.bodies[encoding], mimetype="text/html")
        response.headers["Cache-Control"] = "no-cache"  # phones ask again and get 304 while it is unchanged
        response.headers["Vary"] = "Accept-Encoding"
        if encoding != "identity":
            response.headers["Content-Encoding"] = encoding
        response.set_etag(self.etag if encoding == "identity" else f"{self.etag}:{encoding}")
        return response.make_conditional(request)


#: Results pages of closed and published rounds, per language, for visitors without an
#: account. A page is served from memory while the round's status (from the per-worker
#: status cache: at once in the worker that changed it, within a second in the others) is the
#: one it was made for, and re-checked against the number of counted ballots every few
#: seconds, so a late paper confirmation shows up.
PAGE_SECONDS = 5.0
PAGES = BoundedCache(maxsize=64)  # (round id, language) -> SharedPage
#: One thread per worker renders a missing page; the others wait for it instead of rendering it too.
_RENDERING = Lock()


def shared_page(round_id: int, language: str | None) -> SharedPage | None:
    """The page Flask would send now to a visitor without an account, if it is in memory and
    still holds (for :mod:`app.shared_answers`); else None."""
    status = STATUS_CACHE.get(round_id)
    page = PAGES.get((round_id, language)) if status is not None else None
    return page if page is not None and page.fresh(status) else None


def warm_results_pages(app, round_id: int) -> threading.Thread:
    """Make the round's results page in every language before the phones ask for it: when
    the board approves, 300 phones open it at the same moment, and the first of them would
    otherwise wait while it is made (and the worker's other threads with them). A background
    thread asks for it as a visitor without a cookie would, through the whole stack, so Flask
    renders it and the shared-answer middleware keeps Flask's headers; nothing is sent anywhere."""

    def warm() -> None:
        client = app.test_client()
        for code in LANGUAGE_CODES:
            try:
                client.get(f"/rounds/{round_id}/results", headers={"Accept-Language": code})
            except Exception:  # best effort: a visitor's request makes the page anyway
                log.warning("round %s: making the results page ahead failed", round_id, exc_info=True)
                return

    thread = threading.Thread(target=warm, name=f"warm-results-{round_id}", daemon=True)
    thread.start()
    return thread


def _shared_page(round_id: int, language: str) -> SharedPage:
    cached = PAGES.get((round_id, language))
    if cached is not None and cached.fresh(round_status(round_id)):  # (round_status also fills the status cache)
        return cached  # no database work at all
    with _RENDERING:
        cached = PAGES.get((round_id, language))
        if cached is not None and cached.fresh(round_status(round_id)):
            return cached
        round_ = load_results_round(round_id, provisional=True)
        key = (round_.status.value, counted_ballots(round_))
        if cached is not None and cached.key == key:
            cached.checked_at = time.monotonic()
        else:
            cached = SharedPage(key, _results_page(round_), current_app.config.get("COMPRESS_PAGES", True))
        PAGES.set((round_id, language), cached)
        round_status(round_id)  # in the status cache, so that the next visitor needs no Flask
        return cached


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
