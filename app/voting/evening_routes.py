"""The facilitator's evening page and desk page (issue 14)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app import ballot_box
from app.councils import services as council_services
from app.councils.models import Council
from app.councils.permissions import load_council
from app.councils.permissions import may as council_may
from app.extensions import db
from app.formatting import money
from app.i18n import language
from app.proposals.models import Proposal
from app.proposals.services import approved_proposals
from app.roles import Role
from app.security import roles_required
from app.views import download, get_or_404
from app.voting import bp, services
from app.voting import evening as flow
from app.voting.ballot_forms import ballot_error_message, ballot_instruction
from app.voting.forms import AddOptionForm, ConfirmForm, EnvelopeForm, ReleaseForm
from app.voting.models import Ballot, BudgetRound, PaperBatch, RoundOption, RoundStatus
from app.voting.paper_ballot import PaperPlan, PaperVersion, render_paper_ballot
from app.voting.rules import BallotError, deserialize
from app.voting.staff_routes import PAPER_REFUSALS, paper_form_for, paper_problems

MANAGERS = (Role.facilitator,)  # the evening is run by the council's own facilitators (README: who may do what)
DESK_REFUSALS = {"not_at_desk": _l("This ticket was signed in on a phone. The resident votes there.")}


def _load_council(council_id: int) -> Council:
    return load_council(council_id, "run")


def _load_round(round_id: int) -> BudgetRound:
    """A council round whose council this facilitator manages."""
    round_ = get_or_404(BudgetRound, round_id)
    if round_.council is None:
        abort(404)
    if not council_may(current_user, "run", round_.council):
        abort(403)
    return round_


@bp.route("/staff/councils/<int:council_id>/evening")
@roles_required(*MANAGERS)
def evening(council_id: int):
    council = _load_council(council_id)
    return _evening(council)


def _evening(council: Council, status: int = 200, envelope_form=None, plan_form=None):
    round_ = flow.round_of(council)
    envelope_form = envelope_form or EnvelopeForm()
    envelope_form.round_id.choices = [(r.id, f"{r.name} · {r.budget_cents / 100:,.0f} €") for r in flow.envelopes()]
    plan_form = plan_form or AddOptionForm()
    on_ballot = {o.proposal_id for o in round_.options} if round_ else set()
    plan_form.proposal_id.choices = [
        (p.id, f"{p.title} · {p.ballot_cost_cents / 100:,.0f} €") for p in approved_proposals() if p.id not in on_ballot
    ]
    attendance = council_services.attendance(council)
    turnout = services.turnout(round_) if round_ else None
    return render_template(
        "voting/evening.html",
        council=council,
        round=round_,
        envelope_form=envelope_form,
        plan_form=plan_form,
        steps=flow.checklist(council, round_, attendance.tickets),
        attendance=attendance,
        turnout=turnout,
    ), status


@bp.route("/staff/councils/<int:council_id>/evening/budget", methods=["POST"])
@roles_required(*MANAGERS)
def evening_attach(council_id: int):
    council = _load_council(council_id)
    form = EnvelopeForm()
    form.round_id.choices = [(r.id, r.name) for r in flow.envelopes()]
    if not form.validate_on_submit():
        return _evening(council, 400, envelope_form=form)
    try:
        flow.attach_envelope(council, get_or_404(BudgetRound, form.round_id.data), current_user)
    except flow.EveningRefused as refusal:
        db.session.rollback()
        flash(refusal.describe(), "error")
    else:
        db.session.commit()
    return redirect(url_for("voting.evening", council_id=council.id), code=303)


@bp.route("/staff/councils/<int:council_id>/evening/plans", methods=["POST"])
@roles_required(*MANAGERS)
def evening_add_plan(council_id: int):
    council = _load_council(council_id)
    round_ = flow.round_of(council)
    if round_ is None or round_.status != RoundStatus.draft:
        flash(flow.EveningRefused("no_round" if round_ is None else "not_draft").describe(), "error")
        return redirect(url_for("voting.evening", council_id=council.id), code=303)
    form = AddOptionForm()
    form.proposal_id.choices = [(p.id, p.title) for p in approved_proposals()]
    if not form.validate_on_submit():
        return _evening(council, 400, plan_form=form)
    services.add_option(round_, get_or_404(Proposal, form.proposal_id.data), current_user)
    db.session.commit()
    return redirect(url_for("voting.evening", council_id=council.id) + "#plans", code=303)


@bp.route("/staff/councils/<int:council_id>/evening/plans/<int:option_id>/remove", methods=["POST"])
@roles_required(*MANAGERS)
def evening_remove_plan(council_id: int, option_id: int):
    council = _load_council(council_id)
    round_ = flow.round_of(council)
    option = get_or_404(RoundOption, option_id)
    if round_ is None or option.round_id != round_.id:
        abort(404)
    services.remove_option(round_, option, current_user)
    db.session.commit()
    return redirect(url_for("voting.evening", council_id=council.id) + "#plans", code=303)


@bp.route("/staff/councils/<int:council_id>/evening/start", methods=["POST"])
@roles_required(*MANAGERS)
def evening_start(council_id: int):
    council = _load_council(council_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        flow.start(council, flow.round_of(council), current_user)
    except flow.EveningRefused as refusal:
        db.session.rollback()
        flash(refusal.describe(), "error")
        return redirect(url_for("voting.evening", council_id=council.id), code=303)
    db.session.commit()
    flash(_("The evening has started: the council and the vote are open."), "success")
    return redirect(url_for("voting.desk", round_id=flow.round_of(council).id), code=303)


@bp.route("/staff/rounds/<int:round_id>/close-evening", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def evening_close(round_id: int):
    """Closing is irreversible: the page shows the counts and asks to confirm."""
    round_ = _load_round(round_id)
    form = ConfirmForm()
    turnout = services.turnout(round_)
    if request.method == "POST" and form.validate_on_submit():
        try:
            flow.close(round_.council, round_, current_user)
        except flow.EveningRefused as refusal:
            db.session.rollback()
            flash(refusal.describe(), "error")
            return redirect(url_for("voting.desk", round_id=round_.id), code=303)
        db.session.commit()
        return redirect(url_for("voting.present", round_id=round_.id), code=303)
    return render_template("voting/close_evening.html", round=round_, turnout=turnout, form=form)


# --- the desk ------------------------------------------------------------------------------


@bp.route("/staff/rounds/<int:round_id>/desk", methods=["GET", "POST"])
@roles_required(Role.facilitator)
def desk(round_id: int):
    """Sign a paper voter in and enter their ballot in one step; live counts; the four-eyes check."""
    round_ = _load_round(round_id)
    form = paper_form_for(round_)
    code_form = form.code_form
    if request.method == "GET":
        form.token.data = services.new_form_token()
    error = problem = None
    if request.method == "POST" and form.validate_on_submit() and code_form.validate():
        try:
            signed = council_services.desk_sign_in(round_.council, code_form.code.data, current_user)
            if signed.outcome not in ("ok", "other_device"):
                raise services.VoteRefused("wrong_round")
            ticket = services.paper_ticket(round_, code_form.code.data)
            sub_budget = round_.sub_budget_for(ticket.neighbourhood_id) if round_.sub_budgets else None
            stored = services.check_choices(round_, sub_budget, form.raw_choices())
            cast = services.cast_ballot(
                round_,
                ticket.id,
                sub_budget,
                "paper",
                stored,
                form.token.data or "",
                paper_batch=services.current_paper_batch(round_, current_user),
            )
        except BallotError as found:
            db.session.rollback()
            problem, error = found, ballot_error_message(found, round_)
        except services.VoteRefused as refusal:
            db.session.rollback()
            error = str(
                DESK_REFUSALS.get(refusal.code) or PAPER_REFUSALS.get(refusal.code, PAPER_REFUSALS["wrong_round"])
            )
        else:
            db.session.commit()
            flash(
                _("Paper ballot saved. Write this receipt on the paper: %(receipt)s", receipt=cast.receipt), "success"
            )
            return redirect(url_for("voting.desk", round_id=round_.id), code=303)
    options = list(round_.options)
    summary, invalid = paper_problems(form, code_form, problem, error, round_, options)
    return render_template(
        "voting/desk.html",
        round=round_,
        form=form,
        code_form=code_form,
        error=error,
        options=options,
        chosen=form.chosen_ids(),
        summary=summary,
        invalid=invalid,
        batches=_pending(round_),
        turnout=services.turnout(round_),
        release_form=ReleaseForm(),
    ), 400 if summary else 200


@bp.route("/staff/rounds/<int:round_id>/desk/release", methods=["POST"])
@roles_required(Role.facilitator)
def desk_release(round_id: int):
    """A resident signed in on one browser (say, a QR app's own browser) and wants to vote in
    another on the same phone: the desk releases the ticket; they scan or type it again."""
    round_ = _load_round(round_id)
    form = ReleaseForm()
    if form.validate_on_submit() and council_services.release_ticket(round_.council, form.code.data, current_user):
        db.session.commit()
        flash(_("The ticket is free again. The resident scans it or types its code in the other browser."), "success")
    else:
        db.session.rollback()
        flash(
            _("This ticket cannot be released: it is unknown, not signed in on a phone, or already used to vote."),
            "error",
        )
    return redirect(url_for("voting.desk", round_id=round_.id) + "#release", code=303)


def _pending(round_: BudgetRound) -> list[dict]:
    """Each waiting batch with its ballots and their choices, for the second facilitator to
    compare with the paper. The ballots wait sealed in the ballot box, held back by their
    batch; they are listed by receipt (written on each paper ballot at entry), not in the
    order they were entered: that order is not stored anywhere."""

    by_id = {o.id: o for o in round_.options}
    batches = db.session.scalars(
        select(PaperBatch)
        .where(PaperBatch.round_id == round_.id, PaperBatch.confirmed_at.is_(None))
        .order_by(PaperBatch.id)
    ).all()
    listed = []
    for batch in batches:
        payloads = sorted(ballot_box.held_payloads("ballot", round_.id, batch.id), key=lambda p: p["receipt"])
        payloads += [
            {"receipt": b.receipt, "choices": b.choices}
            for b in db.session.scalars(
                select(Ballot)
                .where(Ballot.paper_batch_id == batch.id, Ballot.confirmed.is_(False))
                .order_by(Ballot.receipt)
            )
        ]
        rows = []
        for payload in payloads:
            choices = deserialize(round_.ballot_type, payload["choices"])
            if round_.ballot_type == "cumulative":
                chosen = [(by_id[oid], points) for oid, points in choices if oid in by_id]
            else:
                chosen = [
                    (by_id[oid], index + 1 if round_.ballot_type == "ranking" else None)
                    for index, oid in enumerate(choices)
                    if oid in by_id
                ]
            rows.append({"receipt": payload["receipt"], "chosen": chosen})
        listed.append({"batch": batch, "ballots": rows, "mine": batch.entered_by_id == current_user.id})
    return listed


@bp.route("/staff/rounds/<int:round_id>/paper-ballot.pdf")
@roles_required(Role.facilitator, Role.board)
def paper_ballot_pdf(round_id: int):
    """The paper ballot to print, one page per language of the evening."""

    round_ = get_or_404(BudgetRound, round_id)
    if round_.council is not None and not (
        current_user.has_role(Role.board) or round_.council.can_manage(current_user)
    ):
        abort(403)
    codes = (round_.council.languages if round_.council else None) or ["nl"]
    mark = {"approval": _l("Tick"), "knapsack": _l("Tick"), "cumulative": _l("Points"), "ranking": _l("Rank")}[
        round_.ballot_type
    ]
    versions = []
    for code in codes:
        with force_locale(code):
            plans = []
            for option in round_.options:
                title, summary, _fallback = option.proposal.text_in(code)
                plans.append(PaperPlan(title=title, cost=money(option.cost_cents), summary=summary))
            versions.append(
                PaperVersion(
                    language=code,
                    rtl=language(code).rtl,
                    title=round_.name,
                    instruction=ballot_instruction(round_, round_.budget_cents),
                    code_label=_("Ticket code"),
                    mark_label=str(mark),
                    plans=plans,
                    footer=_("Give this paper to the facilitator at the desk. Your vote is counted without your name."),
                )
            )
    return download(render_paper_ballot(versions), "application/pdf", f"paper-ballot-{round_.id}.pdf")
