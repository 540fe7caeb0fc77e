"""Splitting a round's budget over its buurten (ongelijk investeren): in proportion to weights,
or explicit amounts checked to add up. Whole cents, exact arithmetic; pure (no Flask, no database)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

#: Sub-budget keys: hashable and mutually orderable (buurt ids).
K = TypeVar("K", bound="SupportsRichComparison")


class BudgetSplitError(ValueError):
    """Sub-budgets cannot be derived or do not add up. ``code`` is stable; ``params`` feed the message."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None):
        self.code = code
        self.params = dict(params or {})
        super().__init__(f"{code} {self.params}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _as_weight(key: object, weight: object) -> Fraction:
    if isinstance(weight, bool) or not isinstance(weight, (int, Fraction, Decimal)):
        raise BudgetSplitError("invalid_weight", {"key": key})
    try:
        exact = Fraction(weight)
    except (ValueError, OverflowError):  # Decimal NaN or infinity
        raise BudgetSplitError("invalid_weight", {"key": key}) from None
    if exact < 0:
        raise BudgetSplitError("negative_weight", {"key": key, "weight": exact})
    return exact


def split_budget(total_cents: int, weights: Mapping[K, int | Fraction | Decimal]) -> dict[K, int]:
    """Split ``total_cents`` in proportion to ``weights`` (largest-remainder method).

    Amounts are whole cents and add up to ``total_cents`` exactly. Leftover cents go to the largest
    fractional parts; ties go to the smaller key (keys must be mutually orderable). A larger weight
    never gets less than a smaller one, and a zero weight gets nothing.
    """
    if not _is_int(total_cents) or total_cents < 0:
        raise BudgetSplitError("negative_total", {"total": total_cents})
    exact = {key: _as_weight(key, weight) for key, weight in weights.items()}
    weight_sum = sum(exact.values(), Fraction(0))
    if weight_sum == 0:
        raise BudgetSplitError("no_positive_weight")
    quotas = {key: total_cents * weight / weight_sum for key, weight in exact.items()}
    amounts = {key: quota.numerator // quota.denominator for key, quota in quotas.items()}
    leftover = total_cents - sum(amounts.values())
    key_order = {key: index for index, key in enumerate(sorted(exact))}
    by_remainder = sorted(exact, key=lambda key: (amounts[key] - quotas[key], key_order[key]))
    for key in by_remainder[:leftover]:
        amounts[key] += 1
    return {key: amounts[key] for key in weights}


def check_explicit_split(total_cents: int, amounts: Mapping[Any, int]) -> None:
    """Refuse explicit sub-budgets that are not whole non-negative cents adding up to the total."""
    if not _is_int(total_cents) or total_cents < 0:
        raise BudgetSplitError("negative_total", {"total": total_cents})
    for key, amount in amounts.items():
        if not _is_int(amount):
            raise BudgetSplitError("not_integer", {"key": key})
        if amount < 0:
            raise BudgetSplitError("negative", {"key": key, "amount": amount})
    allocated = sum(amounts.values())
    if allocated != total_cents:
        raise BudgetSplitError(
            "sum_mismatch", {"total": total_cents, "sum": allocated, "difference": allocated - total_cents}
        )
