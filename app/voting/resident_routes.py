"""The resident's ballot: waiting for the vote, voting, the receipt, checking a receipt."""

from __future__ import annotations

import hashlib
import json

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.cache import BoundedCache
from app.councils.codes import format_receipt_code, normalize_receipt_code
from app.councils.resident_routes import SESSION_FORM_KEY, current_ticket, no_store
from app.database import end_reading, read_only, reads_then_writes, start_writing
from app.extensions import db, limiter
from app.sessions import leaves_cookie_alone
from app.shared_answers import Answer, mark
from app.types import utcnow
from app.views import get_or_404
from app.voting import bp, services
from app.voting.ballot_forms import (
    ballot_error_message,
    ballot_form_for,
    ballot_instruction,
    ballot_problems,
    ballot_tally,
)
from app.voting.forms import BuurtChoiceForm, ReceiptForm
from app.voting.models import BudgetRound, RoundStatus
from app.voting.results_routes import outcome_for_phones, warm_results_pages
from app.voting.rules import BallotError, deserialize

REFUSED = {
    "closed": _l("Voting is closed for this vote."),
    "already_voted": _l("This ticket has already been used to vote."),
    "other_sign_in": _l(
        "This ballot was opened for another ticket on this phone. Here is a fresh ballot for your ticket."
    ),
}


def _sub_budget(round_, ticket):
    """The sub-budget of the ticket's buurt, or of the buurt the voter chose (unbound ticket)."""
    if not round_.sub_budgets:
        return None, False
    buurt = ticket.neighbourhood_id or session.get(f"buurt_{round_.id}")
    sub = round_.sub_budget_for(buurt)
    return sub, sub is None


def _not_the_ballot(ticket, round_, sub_budget_missing: bool):
    """The page instead of the ballot, if any: voted already, not open yet, closed, or the
    voter must first say which buurt they vote for."""
    if ticket.voted and request.method == "GET":
        return render_template("voting/already_voted.html", round=round_, receipt=session.get("receipt"))
    now = utcnow()
    if round_.status == RoundStatus.draft or (round_.opens_at and now < round_.opens_at):
        return render_template("voting/waiting.html", round=round_)
    if not round_.accepts_votes(now) and request.method == "GET":
        return render_template("voting/closed.html", round=round_)
    if sub_budget_missing:
        return redirect(url_for("voting.public_choose_buurt"), code=303)
    return None


def _ballot_page(round_, form, options, sub_budget, problem, recalculate: bool):
    """The ballot with the voter's choices so far and what they cost; after a refused vote,
    400 with the errors summarised at the top."""
    budget = sub_budget.amount_cents if sub_budget else round_.budget_cents
    summary, invalid = (
        ([], {}) if request.method == "GET" or recalculate else ballot_problems(form, problem, round_, options)
    )
    lead = ballot_instruction(round_, budget)
    plans = _plans_as_shown(round_, form, options, sub_budget, lead) if request.method == "GET" else None
    if plans is None:
        services.load_ballot_texts(round_)
    end_reading()  # nothing to write: free the database before the page renders
    return render_template(
        "voting/ballot.html",
        round=round_,
        form=form,
        options=options,
        plans=plans,
        error=ballot_error_message(problem, round_) if problem else None,
        summary=summary,
        invalid=invalid,
        budget=budget,
        tally=ballot_tally(form, options),
        sub_budget=sub_budget,
        lead=lead,
    ), 400 if summary else 200


# (round id, sub-budget id, language) -> the plans of a fresh ballot, as HTML. Only for an
# open round, whose options cannot change; a plan's text edited meanwhile shows within 30 s.
PLANS_AS_SHOWN = BoundedCache(maxsize=64, ttl=30)


def _plans_as_shown(round_, form, options, sub_budget, lead) -> Markup | None:
    """The list of plans of a ballot as first shown (nothing chosen, no error), the same for
    every voter of the round in a language: made once, not for each of 300 phones. None
    where it is not the same for everyone (a ballot sent back with choices and errors)."""
    if round_.status != RoundStatus.open:
        return None
    key = (round_.id, sub_budget.id if sub_budget else None, str(get_locale()))
    plans = PLANS_AS_SHOWN.get(key)
    if plans is None:
        services.load_ballot_texts(round_)
        plans = Markup(render_template("voting/_plans.html", round=round_, form=form, options=options, legend=lead))
        PLANS_AS_SHOWN.set(key, plans)
    return plans


@bp.route("/vote", methods=["GET", "POST"])
@reads_then_writes
@no_store
def public_ballot():
    ticket = current_ticket()
    if ticket is None:
        return redirect(url_for("councils.public_enter_code"), code=303)
    round_ = services.round_for_ticket(ticket)
    if round_ is None:
        abort(404)
    sub_budget, must_choose = _sub_budget(round_, ticket)
    if (elsewhere := _not_the_ballot(ticket, round_, must_choose)) is not None:
        return elsewhere
    options = round_.options_for(sub_budget)
    form = ballot_form_for(round_, options)
    if request.method == "GET":
        form.token.data = services.new_form_token(session.get(SESSION_FORM_KEY))
    problem = None
    recalculate = request.method == "POST" and "recalculate" in request.form  # the no-JavaScript counter
    if (
        request.method == "POST"
        and form.validate_on_submit()
        and not services.form_token_matches(form.token.data or "", session.get(SESSION_FORM_KEY))
    ):
        # A cached form of an earlier sign-in on this phone (back button): never cast or answer for it.
        flash(str(REFUSED["other_sign_in"]), "error")
        return redirect(url_for("voting.public_ballot"), code=303)
    if not recalculate and form.validate_on_submit():
        try:
            stored = services.check_choices(round_, sub_budget, form.raw_choices())
            cast = services.cast_ballot(
                round_,
                ticket.id,
                sub_budget,
                services.channel_for(ticket, round_),
                stored,
                form.token.data or "",
                device_hash=ticket.device_hash,
                before_claim=start_writing,  # the write lock only from there (the claim checks again)
            )
        except BallotError as error:
            db.session.rollback()
            problem = error
        except services.VoteRefused as refusal:
            db.session.rollback()
            flash(str(REFUSED.get(refusal.code, REFUSED["closed"])), "error")
            return redirect(url_for("voting.public_ballot"), code=303)
        else:
            round_id = round_.id  # read before the commit: afterwards it would be reloaded in a write transaction
            db.session.commit()
            session["receipt"] = cast.receipt
            session["receipt_round"] = round_id
            if cast.mix_due:
                services.mix_after_cast(round_id)
            return redirect(url_for("voting.public_voted"), code=303)
    return _ballot_page(round_, form, options, sub_budget, problem, recalculate)


@bp.route("/vote/buurt", methods=["GET", "POST"])
def public_choose_buurt():
    ticket = current_ticket()
    round_ = services.round_for_ticket(ticket) if ticket else None
    if round_ is None or not round_.sub_budgets:
        return redirect(url_for("voting.public_ballot"), code=303)
    form = BuurtChoiceForm()
    form.neighbourhood_id.choices = [(s.neighbourhood_id, s.neighbourhood.name) for s in round_.sub_budgets]
    if form.validate_on_submit():
        session[f"buurt_{round_.id}"] = form.neighbourhood_id.data
        return redirect(url_for("voting.public_ballot"), code=303)
    return render_template("voting/choose_buurt.html", form=form, round=round_)


@bp.route("/vote/done")
@read_only
@no_store
def public_voted():
    """The receipt, then the result: the page waits (JavaScript polls the round's status; without
    it the page refreshes itself) and shows the provisional, then the final result."""
    receipt = session.get("receipt")
    ballot = services.find_ballot(receipt) if receipt else None
    round_id = session.get("receipt_round") or (ballot.round_id if ballot else None)
    round_ = db.session.get(BudgetRound, round_id) if receipt and round_id else None
    if round_ is None:
        return redirect(url_for("voting.public_ballot"), code=303)
    services.load_ballot_texts(round_)
    chosen = _chosen_options(round_, ballot) if ballot is not None else []
    outcome = outcome_for_phones(round_)
    end_reading()
    return render_template(
        "voting/voted.html",
        round=round_,
        receipt=format_receipt_code(receipt),
        chosen=chosen,
        outcome=outcome,
        refresh_seconds=None if outcome and outcome["final"] else RESULT_REFRESH_SECONDS,
    )


#: How often a receipt page without JavaScript reloads while it waits for the (final) result.
RESULT_REFRESH_SECONDS = 20


def _chosen_options(round_, ballot):
    choices = deserialize(round_.ballot_type, ballot.choices)
    by_id = {o.id: o for o in round_.options}
    if round_.ballot_type == "cumulative":
        return [(by_id[oid], points) for oid, points in choices if oid in by_id]
    return [(by_id[oid], None) for oid in choices if oid in by_id]


@bp.route("/rounds/<int:round_id>/status.json")
@leaves_cookie_alone
@read_only
def public_status(round_id: int):
    """Polled by waiting phones. Served from memory; 304 when nothing changed."""
    status = services.round_status(round_id)
    if status is None:
        abort(404)
    answer = _status_answer(round_id, status)
    mark(request, answer)
    response = current_app.response_class(answer.bodies["identity"], mimetype="application/json")
    response.set_etag(answer.etag)
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


#: The poll's answer per (round, status), the same for everyone (:mod:`app.shared_answers`
#: sends it again without Flask while the status cache holds the status).
STATUS_ANSWERS = BoundedCache(maxsize=256)


def _status_answer(round_id: int, status: str) -> Answer:
    answer = STATUS_ANSWERS.get((round_id, status))
    if answer is None:
        body = json.dumps({"status": status}, separators=(",", ":")).encode() + b"\n"
        answer = Answer({"identity": body}, hashlib.sha1(f"{round_id}:{status}".encode()).hexdigest()[:16])
        STATUS_ANSWERS.set((round_id, status), answer)
        if status in ("closed", "results_published") and current_app.config.get("WARM_RESULTS_PAGES"):
            # the phones that poll will open the results page next
            warm_results_pages(current_app._get_current_object(), round_id)  # type: ignore[attr-defined]
    return answer


def status_answer(round_id: int, _language: str | None = None) -> Answer | None:
    """The poll's answer Flask would send now, if the status cache holds the round's status."""
    status = services.STATUS_CACHE.get(round_id)
    return STATUS_ANSWERS.get((round_id, status)) if status is not None else None


@bp.route("/receipt", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
@no_store
def public_receipt():
    form = ReceiptForm()
    found = None
    if form.validate_on_submit():
        code = normalize_receipt_code(form.receipt.data)
        ballot = services.find_ballot(code) if code else None
        if ballot is None:
            form.receipt.errors.append(_("We cannot find this receipt. Check the code."))
        else:
            round_ = db.session.get(BudgetRound, ballot.round_id)
            # With a choices-only list, a receipt never shows its choices: nothing to show a vote-buyer.
            show = (
                round_.status in (RoundStatus.closed, RoundStatus.results_published) and round_.publication != "choices"
            )
            found = {
                "round": round_,
                "chosen": _chosen_options(round_, ballot) if show else None,
                "confirmed": ballot.confirmed,
                "in_box": ballot.in_box,
            }
    return render_template("voting/receipt.html", form=form, found=found)


@bp.route("/rounds/<int:round_id>")
@read_only
def public_round(round_id: int):
    round_ = get_or_404(BudgetRound, round_id)
    if round_.status == RoundStatus.draft:
        abort(404)
    return render_template("voting/round.html", round=round_, turnout=services.turnout(round_))
