"""The ballot form, built for one round's ballot type and the voter's options."""

from __future__ import annotations

from functools import lru_cache

from babel import support
from flask import current_app
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.i18n import messages_path
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.formatting import money
from app.voting.models import BudgetRound, RoundOption
from app.voting.rules import BallotError


@lru_cache(maxsize=16)
def _wtforms_translations(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _BallotForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            """WTForms' own messages in the voter's language, read from disk once per worker
            and language (Flask-WTF reads and parses them again for every request)."""
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _wtforms_translations(str(get_locale()))

    token = HiddenField()
    submit = SubmitField(_l("Vote"))

    ballot_type: str = "approval"
    option_ids: list[int] = []

    def raw_choices(self):
        """The choices as the pure rules module reads them."""
        if self.ballot_type in ("approval", "knapsack"):
            return self.choice.data or []
        prefix = "points_" if self.ballot_type == "cumulative" else "rank_"
        return {oid: getattr(self, f"{prefix}{oid}").data for oid in self.option_ids}

    def chosen_ids(self) -> set[int]:
        raw = self.raw_choices()
        if isinstance(raw, dict):
            return {oid for oid, value in raw.items() if value not in (None, "", 0, "0")}
        return set(raw)

    def option_field(self, option_id: int):
        if self.ballot_type in ("approval", "knapsack"):
            return None
        prefix = "points_" if self.ballot_type == "cumulative" else "rank_"
        return getattr(self, f"{prefix}{option_id}")


def ballot_form_for(round_: BudgetRound, options: list[RoundOption], **kwargs) -> _BallotForm:
    if round_.ballot_type == "cumulative":
        limit = round_.points_max_per_project or round_.points_total or 100
    elif round_.ballot_type == "ranking":
        limit = min(len(options), round_.max_choices or len(options))
    else:
        limit = 0
    return _form_class(round_.ballot_type, tuple(o.id for o in options), limit)(**kwargs)


@lru_cache(maxsize=256)
def _form_class(ballot_type: str, option_ids: tuple[int, ...], limit: int) -> type[_BallotForm]:
    """The form class of one ballot; built once per worker (building it costs more than the check)."""
    attributes: dict = {"ballot_type": ballot_type, "option_ids": list(option_ids)}
    if ballot_type in ("approval", "knapsack"):
        attributes["choice"] = SelectMultipleField(
            choices=[(oid, str(oid)) for oid in option_ids],
            coerce=int,
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
        )
    elif ballot_type == "cumulative":
        for oid in option_ids:
            attributes[f"points_{oid}"] = IntegerField(
                validators=[Optional(), NumberRange(min=0, max=limit, message=_l("Use a number from 0 to %(max)s."))]
            )
    else:
        for oid in option_ids:
            attributes[f"rank_{oid}"] = SelectField(
                choices=[("", "—")] + [(str(i), str(i)) for i in range(1, limit + 1)], validate_choice=False
            )
    return type("BallotForm", (_BallotForm,), attributes)


def ballot_error_message(error: BallotError, round_: BudgetRound) -> str:
    p = error.params
    if error.code == "empty":
        return _("Choose at least one plan.")
    if error.code == "too_many":
        return ngettext(
            "You may choose at most %(num)d plan. Untick %(extra)d.",
            "You may choose at most %(num)d plans. Untick %(extra)d.",
            p["max"],
            extra=p["chosen"] - p["max"],
        )
    if error.code == "over_budget":
        return _(
            "Your choice costs %(cost)s. That is %(excess)s more than the budget of %(budget)s.",
            cost=money(p["cost"]),
            excess=money(p["excess"]),
            budget=money(p["budget"]),
        )
    if error.code == "under_min_share":
        return _(
            "Your choice costs %(cost)s. Choose plans for at least %(minimum)s.",
            cost=money(p["cost"]),
            minimum=money(p["minimum"]),
        )
    if error.code == "points_total_exceeded":
        return ngettext(
            "You gave %(total)d points, but you have only %(num)d point.",
            "You gave %(total)d points, but you have only %(num)d points.",
            p["max"],
            total=p["total"],
        )
    if error.code == "points_per_project_exceeded":
        return ngettext(
            "You can give at most %(num)d point to one plan.",
            "You can give at most %(num)d points to one plan.",
            p["max"],
        )
    if error.code == "negative_points":
        return _("Points cannot be below zero.")
    if error.code in ("rank_duplicate", "rank_gap"):
        return _("Number your choices 1, 2, 3 and so on, each number once.")
    if error.code in ("rank_too_long", "rank_out_of_range"):
        return ngettext(
            "You can rank at most %(num)d plan.",
            "You can rank at most %(num)d plans.",
            round_.max_choices or len(round_.options),
        )
    return _("Something in your choice was not right. Please choose again.")


#: Errors whose plans are all the chosen ones (the choice as a whole breaks a limit).
_WHOLE_CHOICE = {"too_many", "over_budget", "under_min_share", "points_total_exceeded", "rank_too_long", "rank_gap"}


def option_input_id(form: _BallotForm, option_id: int) -> str:
    field = form.option_field(option_id)
    return field.id if field is not None else f"option-{option_id}"


def ballot_problems(
    form: _BallotForm, error: BallotError | None, round_: BudgetRound, options: list[RoundOption]
) -> tuple[list[dict], dict[int, str]]:
    """What went wrong, for the summary at the top of the ballot and beside each plan.

    Returns the summary (``{"target": element id, "message": text}``, in ballot order) and the
    invalid plans (option id -> id of the message that describes them)."""
    summary: list[dict] = []
    invalid: dict[int, str] = {}
    titles = {o.id: o.proposal.title for o in options}
    for option in options:
        field = form.option_field(option.id)
        if field is not None and field.errors:
            invalid[option.id] = f"{field.id}-error"
            summary.append({"target": field.id, "message": f"{titles[option.id]}: {' '.join(map(str, field.errors))}"})
    if error is not None:
        summary.append({"target": None, "message": ballot_error_message(error, round_)})
        named = error.params.get("option")
        if error.code == "rank_duplicate":
            marked = [
                oid
                for oid in form.option_ids
                if str(form.option_field(oid).data or "") == str(error.params.get("rank"))
            ]
        elif named in titles:
            marked = [named]
        elif error.code in _WHOLE_CHOICE:
            marked = [o.id for o in options if o.id in form.chosen_ids()]
        else:
            marked = []
        for oid in marked:
            invalid.setdefault(oid, "ballot-error")
        first = marked[0] if marked else (options[0].id if options else None)
        summary[-1]["target"] = option_input_id(form, first) if first is not None else None
    elif form.errors and not summary:
        summary.append(
            {
                "target": option_input_id(form, options[0].id) if options else None,
                "message": _("This form was open too long. Please choose again and vote."),
            }
        )
    return summary, invalid


def ballot_tally(form: _BallotForm, options: list[RoundOption]) -> dict:
    """What the counters above the plans show, computed by the server (the page works without
    JavaScript): the chosen plans, their cost in cents, and the points given."""
    chosen = form.chosen_ids()
    points = 0
    if form.ballot_type == "cumulative":
        for oid in form.option_ids:
            value = form.option_field(oid).data
            points += value if isinstance(value, int) and value > 0 else 0
    return {"chosen": chosen, "spent": sum(o.cost_cents for o in options if o.id in chosen), "points": points}


def ballot_instruction(round_: BudgetRound, budget_cents: int) -> str:
    """What the voter is asked to do, the same words on the phone and on the paper ballot."""
    if round_.ballot_type == "approval":
        if round_.max_choices:
            return ngettext(
                "Tick the plan you support most.", "Tick up to %(num)d plans you support.", round_.max_choices
            )
        return _("Tick every plan you support.")
    if round_.ballot_type == "knapsack":
        return _("Choose plans. Together they may cost at most %(budget)s.", budget=money(budget_cents, whole=True))
    if round_.ballot_type == "cumulative":
        text = _("Spread %(points)d points over the plans you like.", points=round_.points_total)
        if round_.points_max_per_project:
            text += " " + ngettext(
                "At most %(num)d point per plan.", "At most %(num)d points per plan.", round_.points_max_per_project
            )
        return text
    text = _("Put your favourite plans in order: 1 is the one you want most.")
    if round_.max_choices:
        text += " " + ngettext("Choose your favourite plan.", "Rank up to %(num)d plans.", round_.max_choices)
    return text
