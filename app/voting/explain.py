"""Turning the counting engine's trace into sentences residents can read.

Which step funded or skipped a plan, and the English sentence for it, come from the pure
`counting.explain`; here they are translated and the money is formatted."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.formatting import money
from counting.explain import MONEY, explain

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
RANKING_NOTE = _l(
    "For rankings, the plan in first place gets the most points (Borda count): k points for place 1, down to 1 point for place k."
)


def why(project_result, titles: dict[str, str]) -> str:
    """One line that says which step funded or skipped a plan, and why."""
    step = project_result.step
    if step is None:
        return ""
    explanation = explain(step, cost=project_result.option.cost_cents)
    params = {}
    for key, value in explanation.params.items():
        if key in MONEY:
            params[key] = money(round(value))
        elif key == "projects":
            params[key] = " & ".join(titles.get(pid, pid) for pid in value)
        else:
            params[key] = value
    return _(explanation.message, **params)
