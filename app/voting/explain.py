"""Turning the counting engine's trace into sentences residents can read."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.formatting import money

RULE_EXPLANATIONS = {
    "greedy": _l(
        "The plans with the most support are funded first, one by one, as long as there is money left. "
        "A plan that no longer fits is skipped, and the next one is tried."
    ),
    "mes": _l(
        "Method of Equal Shares: every voter gets an equal share of the budget. A plan is funded when its "
        "supporters can pay for it together from their shares, the cheapest per supporter first. "
        "Money that is left is then spent on the plans with the most support that still fit."
    ),
}
RANKING_NOTE = _l("For rankings, the plan in first place gets the most points (Borda count): k points for place 1, down to 1 point for place k.")


def why(project_result, titles: dict[str, str]) -> str:
    """One line that says why a plan was or was not funded."""
    step = project_result.step
    if step is None:
        return ""
    data = step.data
    if step.reason == "funded" and "voter_budget" in data:
        return _("Funded: its %(supporters)d supporters could pay %(cost)s together.",
                 supporters=data.get("supporters", project_result.support), cost=money(project_result.option.cost_cents))
    if step.reason in ("funded", "completion_funded"):
        if step.reason == "completion_funded":
            return _("Funded with the money that was left: %(left)s was left, it needed %(needed)s.",
                     left=money(data["left"]), needed=money(data["needed"]))
        return _("Funded: it had the most support of the plans that still fitted.")
    if step.reason == "over_budget":
        return _("Not funded: %(left)s was left, it needed %(needed)s.", left=money(data["left"]), needed=money(data["needed"]))
    if step.reason == "supporters_spent":
        names = [titles.get(pid, pid) for pid in data.get("spent_on", [])[:2]]
        if names:
            return _("Not funded: its supporters had spent their share on %(projects)s.", projects=" & ".join(names))
        return _("Not funded: its %(supporters)d supporters had only %(available)s together; it needed %(needed)s.",
                 supporters=data.get("supporters", 0), available=money(round(data.get("available", 0))), needed=money(data["needed"]))
    if step.reason == "no_support":
        return _("Not funded: nobody chose it.")
    return ""
