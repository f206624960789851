"""Errors a user can cause. Their message is Spanish and is shown as is; nothing else leaks."""


class ApplicationError(Exception):
    """A refused operation: the message says what and where, in Spanish."""

    def __init__(self, message: str, *, details: list[dict] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __str__(self) -> str:
        return self.message
