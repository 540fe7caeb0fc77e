"""The refusals of the allowance domain; each says in a sentence what went wrong (shown on
the 409 page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _

from app.errors import DomainError

if TYPE_CHECKING:
    from app.compensation.models import ClaimStatus


class ClaimStateError(DomainError):
    def __init__(self, current: ClaimStatus, target: ClaimStatus):
        super().__init__(f"claim {current.value} → {target.value}")
        self.current, self.target = current, target

    def describe(self) -> str:
        return _("This claim has already been handled. Reload the page to see its status.")


class FourEyesError(DomainError):
    """Whoever recorded a claim cannot approve it."""

    def __init__(self):
        super().__init__("the person who recorded a claim cannot approve it")

    def describe(self) -> str:
        return _("You recorded this claim yourself. Another treasurer must approve it.")


class BankChangeError(DomainError):
    """A bank-account change needs a second person; whoever changed an account does not pay it."""

    def __init__(self, reason: str):
        super().__init__(f"bank account: {reason}")
        self.reason = reason

    def describe(self) -> str:
        if self.reason == "same_person":
            return _("You asked for this change yourself. Another treasurer or an administrator must confirm it.")
        if self.reason == "changed_account":
            return _(
                "You changed a bank account in this payout. Another treasurer or an administrator must export it and mark it paid."
            )
        return _("There is no bank-account change waiting.")


class BatchExported(DomainError):
    """A payout batch is immutable once its files are exported."""

    def __init__(self, what: str = "batch"):
        super().__init__(f"payout batch already exported: {what}")
        self.what = what

    def describe(self) -> str:
        return _("This payout has been exported and can no longer change. Record a new claim to correct it.")


class BatchStateError(DomainError):
    def __init__(self, reason: str):
        super().__init__(f"payout batch: {reason}")
        self.reason = reason

    def describe(self) -> str:
        if self.reason == "not_exported":
            return _("Export the payout files before you mark the payout as paid.")
        if self.reason == "paid":
            return _("This payout is already marked as paid.")
        if self.reason == "empty":
            return _("This payout has no claims.")
        return _("This payout cannot change now.")
