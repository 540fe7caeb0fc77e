"""How published counts read in templates and exports: a number, "fewer than 5" or "hidden"."""

from __future__ import annotations

from flask_babel import format_decimal, format_percent
from flask_babel import lazy_gettext as _l

from app.councils.forms import age_band_choices
from app.disclosure import COMPLEMENT, SMALL, Count
from app.i18n import language
from app.reach import bp

HIDDEN_LABELS = {SMALL: _l("fewer than 5"), COMPLEMENT: _l("hidden")}
GROUP_LABELS = {
    "focus": _l("Focus buurten"),
    "other": _l("Other buurten"),
    "unsaid": _l("Not said"),
    "yes": _l("Yes, first time"),
    "no": _l("Not the first time"),
    "phone": _l("By phone"),
    "paper": _l("On paper"),
}


def count_text(count: Count) -> str:
    if count.shown:
        return format_decimal(count.value)
    return str(HIDDEN_LABELS[count.state])


def count_code(count: Count):
    """For machine-readable exports: the number, or "<5" / "hidden"."""
    if count.shown:
        return count.value
    return "<5" if count.state == SMALL else "hidden"


def age_label(code: str) -> str:
    if code == "unsaid":
        return str(GROUP_LABELS["unsaid"])
    return str(dict(age_band_choices()).get(code, code))


@bp.app_template_filter("people")
def people_filter(count) -> str:
    if not isinstance(count, Count):
        count = Count(count)
    return count_text(count)


@bp.app_template_filter("share")
def share_filter(value: float | None) -> str:
    return "–" if value is None else format_percent(value)


@bp.app_template_global()
def reach_group_label(code: str) -> str:
    return str(GROUP_LABELS.get(code, code))


@bp.app_template_global()
def reach_age_label(code: str) -> str:
    return age_label(code)


@bp.app_template_global()
def reach_language_label(code: str) -> str:
    return str(GROUP_LABELS["unsaid"]) if code == "unsaid" else language(code).native_name
