"""Template helpers of the voting domain: labels, links, and the budget chart (SVG)."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.signals import Link
from app.voting import bp
from app.voting.models import RoundStatus

ROUND_STATUS_LABELS = {
    "draft": _l("Being prepared"),
    "open": _l("Voting is open"),
    "closed": _l("Voting is closed"),
    "results_published": _l("Results published"),
}


@bp.app_template_global()
def round_status_label(status) -> str:
    code = getattr(status, "value", status)
    return str(ROUND_STATUS_LABELS.get(code, code))


@bp.app_template_global()
def round_links(round_, staff: bool = False) -> list[Link]:
    """The results link on a round's page: once the vote is closed (provisional until approved)."""
    if round_.status in (RoundStatus.closed, RoundStatus.results_published):
        return [Link(url_for("voting.public_results", round_id=round_.id), _("See the results"))]
    return []


@bp.app_template_global()
def budget_chart(part) -> Markup:
    """A horizontal bar of the budget: one segment per funded project, the rest left over.
    Server-rendered SVG, so it needs no JavaScript; the list beside it is its text."""
    width = 1000
    segments, x = [], 0.0
    budget = max(part.budget_cents, 1)
    for index, project in enumerate(part.funded):
        w = width * project.option.cost_cents / budget
        segments.append(
            {
                "x": x,
                "w": w,
                "shade": index % 2,
                "title": project.option.proposal.title,
                "cost": project.option.cost_cents,
            }
        )
        x += w
    return Markup(
        render_template("voting/_budget_bar.svg", segments=segments, width=width, left=width - x, x_left=x, part=part)
    )


@bp.app_template_global()
def budget_legend(part) -> Markup:
    """The labels of the budget bar as HTML text (tooltips do not work on touch screens)."""
    return Markup(render_template("voting/_budget_legend.html", part=part))
