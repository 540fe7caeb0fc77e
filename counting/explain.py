"""Why each project was funded or not, named by the step that decided it (pure).

:func:`explain` turns one :class:`counting.tally.Step` into an :class:`Explanation`: the
deciding ``step`` and an English sentence with ``%(name)s`` placeholders (marked with ``N_``
so that Babel extracts it; the app translates it and fills in the values, formatting money).

Steps:

- ``equal_shares``: funded by the Method of Equal Shares (its supporters paid for it from
  their equal shares);
- ``greedy``: funded by the greedy rule (most support first, while the money lasts);
- ``greedy_fill``: funded after Equal Shares, with the money it left, by the greedy fill;
- ``out_of_money``: not funded, it cost more than was left;
- ``not_enough_support``: not funded by Equal Shares: its supporters' shares were too little
  (they had spent them on other projects, or were too few), and it did not fit in what was left;
- ``no_support``: nobody chose it (and it did not fit in what was left).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from counting.tally import Step

#: Keys of :attr:`Explanation.params` that hold money (in the count's money units).
MONEY = frozenset({"cost", "left", "needed", "available"})


def N_(message: str) -> str:
    """Marks a message for translation; the app translates it when it shows it."""
    return message


MESSAGES = {
    "equal_shares": N_(
        "Funded by equal shares: its %(supporters)d supporters paid %(cost)s together "
        "from their equal shares of the budget."
    ),
    "greedy": N_("Funded: it had the most support of the plans that still fitted."),
    "greedy_fill": N_(
        "Funded with the money that equal shares left: %(left)s was left, and it had the "
        "most support of the plans that still fitted (%(needed)s)."
    ),
    "out_of_money": N_("Not funded, out of money: %(left)s was left, it needed %(needed)s."),
    "spent_elsewhere": N_(
        "Not funded, not enough support: its supporters had spent their equal shares on "
        "%(projects)s, and the %(left)s left was not enough for %(needed)s."
    ),
    "not_enough_support": N_(
        "Not funded, not enough support: its %(supporters)d supporters had only "
        "%(available)s of their shares left, and the %(left)s left was not enough for "
        "%(needed)s."
    ),
    "no_support": N_("Not funded: nobody chose it."),
}


@dataclass(frozen=True)
class Explanation:
    step: str  # equal_shares, greedy, greedy_fill, out_of_money, not_enough_support, no_support
    message: str  # English, with %(name)s placeholders
    params: dict[str, Any] = field(default_factory=dict)  # "projects": ids; MONEY keys: amounts


def explain(step: Step, cost: int | None = None) -> Explanation:
    """The explanation of one trace step; ``cost``: the project's cost (for MES steps)."""
    data = step.data
    if step.reason == "funded" and "round" in data:  # MES (round 0: free, before MES starts)
        paid = cost if cost is not None else data.get("needed", 0)
        return Explanation(
            "equal_shares", MESSAGES["equal_shares"], {"supporters": data.get("supporters", step.support), "cost": paid}
        )
    if step.reason == "funded":
        return Explanation("greedy", MESSAGES["greedy"])
    if step.reason == "completion_funded":
        return Explanation("greedy_fill", MESSAGES["greedy_fill"], {"left": data["left"], "needed": data["needed"]})
    if step.reason == "over_budget":
        return Explanation("out_of_money", MESSAGES["out_of_money"], {"left": data["left"], "needed": data["needed"]})
    if step.reason == "supporters_spent":
        money = {"left": data["left"], "needed": data["needed"]}
        if data.get("spent_on"):
            return Explanation(
                "not_enough_support", MESSAGES["spent_elsewhere"], {**money, "projects": list(data["spent_on"][:2])}
            )
        return Explanation(
            "not_enough_support",
            MESSAGES["not_enough_support"],
            {**money, "supporters": data.get("supporters", 0), "available": data.get("available", 0)},
        )
    if step.reason == "no_support":
        return Explanation("no_support", MESSAGES["no_support"])
    raise ValueError(f"unknown step reason {step.reason!r}")
