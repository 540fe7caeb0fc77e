"""The board sets up rounds; facilitators run the evening vote and enter paper ballots."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from app.confirm import ConfirmForm, ConfirmWithReasonForm, confirmation_page, confirmed
from app.councils import services as council_services
from app.councils.codes import format_code
from app.councils.qr import dark_rectangles, qr_modules
from app.councils.sheets import SheetHeader, TicketPrint, render_ticket_sheet
from app.exports import csv_bytes
from app.extensions import db
from app.fields import MoneyField
from app.finance import services as finance_services
from app.places.services import neighbourhoods
from app.proposals.models import Proposal
from app.proposals.services import approved_proposals
from app.roles import Role
from app.security import roles_required
from app.signals import Panel
from app.types import AMSTERDAM
from app.views import download, get_or_404, public_url, short_address
from app.voting import bp, services
from app.voting.ballot_forms import ballot_error_message, ballot_form_for, ballot_problems
from app.voting.budget_split import BudgetSplitError
from app.voting.forms import AddOptionForm, PaperCodeForm, RoundForm, SplitForm, VoterCodesForm
from app.voting.models import BudgetRound, PaperBatch, RoundOption, RoundStateError, RoundStatus
from app.voting.permissions import load_round, may
from app.voting.results import round_results
from app.voting.rules import BallotError

EVENING = (Role.facilitator, Role.board)

PANELS = (
    Panel(
        Role.board, _l("Votes"), (("voting.staff_list", _l("Budget rounds")), ("voting.create", _l("New budget round")))
    ),
    Panel(Role.facilitator, _l("Evening vote"), (("voting.staff_list", _l("Budget rounds")),)),
)


def _local(moment):
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None) if moment else None


def _utc(local):
    return local.replace(tzinfo=AMSTERDAM).astimezone(ZoneInfo("UTC")) if local else None


def _round_choices(form: RoundForm) -> None:
    form.funding_source_id.choices = [(0, _("(none)"))] + [(s.id, s.name) for s in finance_services.funding_sources()]
    form.council_id.choices = [(0, _("(none)"))] + [
        (c.id, c.title) for c in council_services.councils_newest_first(limit=50)
    ]


@bp.route("/staff/rounds")
@roles_required(Role.board, Role.facilitator, Role.admin)
def staff_list():
    return render_template("voting/staff_list.html", rounds=services.rounds_newest_first())


@bp.route("/staff/rounds/new", methods=["GET", "POST"])
@bp.route("/staff/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@roles_required(Role.board)
def create(round_id: int | None = None):
    round_ = load_round(round_id, "setup") if round_id else None
    if round_ is not None:
        round_.ensure_editable()
    data = None
    if round_ is not None and request.method == "GET":
        data = {
            "budget": round_.budget_cents,
            "opens_at": _local(round_.opens_at),
            "closes_at": _local(round_.closes_at),
            "funding_source_id": round_.funding_source_id or 0,
            "council_id": round_.council_id or 0,
        }
    form = RoundForm(obj=round_, data=data)
    _round_choices(form)
    if form.validate_on_submit():
        values = {
            name: getattr(form, name).data
            for name in (
                "name",
                "description",
                "ballot_type",
                "rule",
                "max_choices",
                "min_share_percent",
                "points_total",
                "points_max_per_project",
                "eligibility",
                "paper_four_eyes",
                "publication",
            )
        }
        values |= {
            "budget_cents": form.budget.cents,
            "funding_source_id": form.funding_source_id.data or None,
            "council_id": form.council_id.data or None,
            "opens_at": _utc(form.opens_at.data),
            "closes_at": _utc(form.closes_at.data),
        }
        round_ = services.save_round(round_, values, current_user)
        db.session.commit()
        flash(_("The vote is saved."), "success")
        return redirect(url_for("voting.manage", round_id=round_.id), code=303)
    return render_template("voting/round_form.html", form=form, round=round_)


def split_form_for(data=None):
    """A weight and an amount per buurt; the chosen mode says which column counts."""

    class RoundSplitForm(SplitForm):
        pass

    for buurt in neighbourhoods():
        setattr(
            RoundSplitForm,
            f"weight_{buurt.id}",
            IntegerField(
                buurt.name,
                validators=[Optional(), NumberRange(min=0, max=100, message=_l("Use a number from 0 to 100."))],
            ),
        )
        setattr(RoundSplitForm, f"amount_{buurt.id}", MoneyField(buurt.name, required=False, allow_zero=True))
    return RoundSplitForm(data=data)


@bp.route("/staff/rounds/<int:round_id>")
@roles_required(Role.board)
def manage(round_id: int):
    round_ = load_round(round_id, "setup")
    return _manage_page(round_)


def _manage_page(round_, split_form=None, status=200):
    add_form = AddOptionForm()
    add_form.proposal_id.choices = [
        (p.id, f"{p.title} · {p.ballot_cost_cents / 100:.2f}") for p in approved_proposals()
    ]
    if split_form is None:
        data = {"mode": round_.split_mode}
        for sub in round_.sub_budgets:
            data[f"weight_{sub.neighbourhood_id}"] = sub.weight
            data[f"amount_{sub.neighbourhood_id}"] = sub.amount_cents
        split_form = split_form_for(data=data)
    codes_form = VoterCodesForm()
    codes_form.neighbourhood_id.choices = [(0, _("No buurt"))] + [(n.id, n.name) for n in neighbourhoods()]
    return render_template(
        "voting/manage.html",
        round=round_,
        add_form=add_form,
        split_form=split_form,
        codes_form=codes_form,
        turnout=services.turnout(round_),
    ), status


@bp.route("/staff/rounds/<int:round_id>/options", methods=["POST"])
@roles_required(Role.board)
def add_option(round_id: int):
    round_ = load_round(round_id, "setup")
    round_.ensure_editable("options")
    form = AddOptionForm()
    form.proposal_id.choices = [(p.id, p.title) for p in approved_proposals()]
    if form.validate_on_submit():
        services.add_option(round_, get_or_404(Proposal, form.proposal_id.data), current_user)
        db.session.commit()
    return redirect(url_for("voting.manage", round_id=round_.id), code=303)


@bp.route("/staff/rounds/<int:round_id>/options/<int:option_id>/remove", methods=["POST"])
@roles_required(Role.board)
def remove_option(round_id: int, option_id: int):
    round_ = load_round(round_id, "setup")
    option = get_or_404(RoundOption, option_id)
    if option.round_id != round_.id:
        abort(404)
    services.remove_option(round_, option, current_user)
    db.session.commit()
    return redirect(url_for("voting.manage", round_id=round_.id), code=303)


@bp.route("/staff/rounds/<int:round_id>/split", methods=["POST"])
@roles_required(Role.board)
def split(round_id: int):
    round_ = load_round(round_id, "setup")
    round_.ensure_editable("budgets")
    form = split_form_for()
    if form.validate_on_submit():
        mode = form.mode.data
        column = "weight_" if mode == "weights" else "amount_"
        values = {}
        if mode != "none":
            for buurt in neighbourhoods():
                field = getattr(form, f"{column}{buurt.id}")
                value = field.cents if mode == "amounts" else field.data
                if value:
                    values[buurt.id] = value
        try:
            services.set_sub_budgets(round_, mode, values, current_user)
        except BudgetSplitError:
            db.session.rollback()
            form.mode.errors = [_("The amounts must add up to the total budget exactly.")]
            return _manage_page(round_, split_form=form, status=400)
        db.session.commit()
        flash(_("The split is saved."), "success")
        return redirect(url_for("voting.manage", round_id=round_.id), code=303)
    return _manage_page(round_, split_form=form, status=400)


@bp.route("/staff/rounds/<int:round_id>/status/<any(open, closed):target>", methods=["POST"])
@roles_required(*EVENING)
def set_status(round_id: int, target: str):
    round_ = load_round(round_id, "open" if target == "open" else "close")
    back = (
        "voting.live"
        if request.args.get("back") == "live" or not may(current_user, "setup", round_)
        else "voting.manage"
    )
    if target == "closed":
        if round_.status != RoundStatus.open:
            raise RoundStateError(round_.status, RoundStatus.closed)
        form = ConfirmForm()
        if not confirmed(form):
            turnout = services.turnout(round_)
            facts = [
                (_("Ballots"), turnout.ballots),
                (_("On paper"), turnout.by_channel["paper"]),
                (_("Paper ballots waiting for a second check"), turnout.unconfirmed_paper),
            ]
            return confirmation_page(
                form, _("Close the vote"), facts, request.full_path, url_for(back, round_id=round_.id)
            )
    (services.open_round if target == "open" else services.close_round)(round_, current_user)
    db.session.commit()
    if target == "closed":
        services.after_close(round_id)
    return redirect(url_for(back, round_id=round_id), code=303)


@bp.route("/staff/rounds/<int:round_id>/reopen", methods=["POST"])
@roles_required(Role.board)
def reopen(round_id: int):
    round_ = load_round(round_id, "reopen")
    form = ConfirmWithReasonForm()
    if not confirmed(form):
        facts = [(_("Ballots"), services.turnout(round_).ballots)]
        return confirmation_page(
            form, _("Reopen the vote"), facts, request.full_path, url_for("voting.manage", round_id=round_.id)
        )
    services.reopen_round(round_, current_user, form.reason.data)
    db.session.commit()
    flash(_("The vote is open again."), "success")
    return redirect(url_for("voting.manage", round_id=round_.id), code=303)


@bp.route("/staff/rounds/<int:round_id>/paper/discard", methods=["POST"])
@roles_required(Role.board)
def discard_paper(round_id: int):
    round_ = load_round(round_id, "discard_paper")
    form = ConfirmWithReasonForm()
    if not confirmed(form):
        facts = [(_("Paper ballots waiting for a second check"), services.pending_paper(round_))]
        return confirmation_page(
            form,
            _("Discard the unconfirmed paper ballots"),
            facts,
            request.full_path,
            url_for("voting.manage", round_id=round_.id),
        )
    count = services.discard_pending_paper(round_, current_user, form.reason.data)
    db.session.commit()
    flash(ngettext("%(num)d paper ballot is discarded.", "%(num)d paper ballots are discarded.", count), "success")
    return redirect(url_for("voting.manage", round_id=round_.id), code=303)


@bp.route("/staff/rounds/<int:round_id>/codes", methods=["POST"])
@roles_required(Role.board)
def voter_codes(round_id: int):
    round_ = load_round(round_id, "setup")
    form = VoterCodesForm()
    form.neighbourhood_id.choices = [(0, "")] + [(n.id, n.name) for n in neighbourhoods()]
    if not form.validate_on_submit():
        return _manage_page(round_, status=400)
    issued = services.issue_voter_codes(round_, {form.neighbourhood_id.data or None: form.count.data}, current_user)
    prints = [
        TicketPrint(
            code=code,
            url=public_url("councils.public_ticket", code=code),
            buurt=t.neighbourhood.name if t.neighbourhood else None,
        )
        for t, code in issued
    ]
    if form.output.data == "csv":
        body = csv_bytes(["code", "url", "buurt"], [(format_code(p.code), p.url, p.buurt or "") for p in prints])
        response = download(body, "text/csv; charset=utf-8", f"voter-codes-{round_.id}.csv")
    else:
        header = SheetHeader(
            title=round_.name,
            when="",
            venue="",
            instructions=[("nl", _("Scan the code with your phone to sign in and vote."))],
            address=short_address("councils.public_enter_code"),
        )
        response = download(render_ticket_sheet(prints, header), "application/pdf", f"voter-codes-{round_.id}.pdf")
    db.session.commit()
    return response


# --- the evening ---------------------------------------------------------------------------
@bp.route("/staff/rounds/<int:round_id>/live")
@roles_required(*EVENING)
def live(round_id: int):
    round_ = load_round(round_id, "follow")
    return render_template("voting/live.html", round=round_, turnout=services.turnout(round_))


@bp.route("/staff/rounds/<int:round_id>/present")
@roles_required(*EVENING)
def present(round_id: int):
    """The projector: turnout while the vote runs; then one labelled bar per plan, the money
    left, "provisional" until the board approves, and a QR code to the results for the phones."""
    round_ = load_round(round_id, "follow")
    results = None
    qr = None
    if round_.status in (RoundStatus.closed, RoundStatus.results_published):
        results = round_results(round_)
        url = public_url("voting.public_results", round_id=round_.id)
        rows = qr_modules(url)
        qr = {"url": url, "size": len(rows), "rects": dark_rectangles(rows)}
    languages = (round_.council.languages if round_.council else None) or ["nl"]
    return render_template(
        "voting/present.html",
        round=round_,
        turnout=services.turnout(round_),
        results=results,
        qr=qr,
        spoken=_presenter_words(languages),
    )


def _presenter_words(languages: list[str]) -> list[dict]:
    """The few words on the projector, in each language of the evening (read from the back of the hall)."""
    from flask_babel import force_locale

    from app.i18n import language

    words = []
    for code in languages:
        with force_locale(code):
            words.append(
                {
                    "code": code,
                    "rtl": language(code).rtl,
                    "provisional": _("Provisional result"),
                    "final": _("Final result"),
                    "left": _("Money left"),
                    "scan": _("Scan to see the results on your phone"),
                }
            )
    return words


def paper_problems(form, code_form, problem, error, round_: BudgetRound, options) -> tuple[list, dict]:
    """The error summary of a paper entry (the desk's and the paper page's): the code first,
    then the ballot's own problems, then a refusal that belongs to the code."""
    summary, invalid = ballot_problems(form, problem, round_, options) if request.method == "POST" else ([], {})
    if code_form.errors:
        summary.insert(0, {"target": code_form.code.id, "message": " ".join(map(str, code_form.code.errors))})
    if error and not problem:
        summary.append({"target": code_form.code.id, "message": error})
    return summary, invalid


def paper_form_for(round_: BudgetRound, **kwargs):
    form = ballot_form_for(round_, list(round_.options), **kwargs)
    form.code_form = PaperCodeForm(request.form if request.method == "POST" else None, prefix="paper")
    return form


@bp.route("/staff/rounds/<int:round_id>/paper", methods=["GET", "POST"])
@roles_required(Role.facilitator)
def paper(round_id: int):
    round_ = load_round(round_id, "paper")
    form = paper_form_for(round_)
    code_form = form.code_form
    if request.method == "GET":
        form.token.data = services.new_form_token()
    error = problem = None
    if form.validate_on_submit() and code_form.validate():
        try:
            ticket = services.paper_ticket(round_, code_form.code.data)
            sub_budget = round_.sub_budget_for(ticket.neighbourhood_id) if round_.sub_budgets else None
            stored = services.check_choices(round_, sub_budget, form.raw_choices())
            batch = services.current_paper_batch(round_, current_user)
            cast = services.cast_ballot(
                round_, ticket.id, sub_budget, "paper", stored, form.token.data or "", paper_batch=batch
            )
        except BallotError as found:
            db.session.rollback()
            problem = found
            error = ballot_error_message(found, round_)
        except services.VoteRefused as refusal:
            db.session.rollback()
            error = str(PAPER_REFUSALS.get(refusal.code, PAPER_REFUSALS["wrong_round"]))
        else:
            db.session.commit()
            if cast.mix_due:
                services.mix_after_cast(round_.id)
            flash(_("Paper ballot saved. Receipt: %(receipt)s", receipt=cast.receipt), "success")
            return redirect(url_for("voting.paper", round_id=round_.id), code=303)
    batches = services.unconfirmed_paper_batches(round_)
    options = list(round_.options)
    summary, invalid = paper_problems(form, code_form, problem, error, round_, options)
    return render_template(
        "voting/paper.html",
        round=round_,
        form=form,
        code_form=code_form,
        error=error,
        options=options,
        chosen=form.chosen_ids(),
        batches=batches,
        summary=summary,
        invalid=invalid,
        turnout=services.turnout(round_),
    ), 400 if summary or code_form.errors else 200


PAPER_REFUSALS = {
    "wrong_round": _l("This ticket does not belong to this vote."),
    "not_at_desk": _l("Sign this ticket in at the desk first."),
    "already_voted": _l("This ticket has already been used to vote."),
    "closed": _l("Voting is closed for this vote."),
    "ticket_void": _l("This ticket can no longer be used. Ask the facilitator for a new one."),
}


@bp.route("/staff/rounds/<int:round_id>/paper/<int:batch_id>/confirm", methods=["POST"])
@roles_required(Role.facilitator)
def confirm_paper(round_id: int, batch_id: int):
    load_round(round_id, "paper")
    batch = get_or_404(PaperBatch, batch_id)
    if batch.round_id != round_id:
        abort(404)
    services.confirm_paper_batch(batch, current_user)  # 409 for whoever entered them, or after close
    db.session.commit()
    flash(_("The paper ballots are confirmed."), "success")
    return redirect(
        url_for("voting.desk" if request.args.get("back") == "desk" else "voting.paper", round_id=round_id), code=303
    )
