"""Domain errors (pure: no Flask, no database). The app shows them as HTTP 409."""


class DomainError(Exception):
    """An illegal move in a domain state machine or a refused change."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
