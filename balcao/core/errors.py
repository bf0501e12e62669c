"""Errors that actions raise and interfaces turn into a clear message for the person."""


class ActionRefused(Exception):
    """An action was refused: nothing was changed. ``message`` is translated, for people."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


class NotFound(ActionRefused):
    """The object does not exist, or the viewer may not know it exists."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_found")
