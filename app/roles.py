"""Staff roles. A person may hold several."""

import enum


class Role(str, enum.Enum):
    admin = "admin"
    board = "board"
    reviewer = "reviewer"
    facilitator = "facilitator"
    aanjager = "aanjager"
    treasurer = "treasurer"
