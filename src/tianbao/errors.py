"""Exceptions of tianbao. Each inherits the package base and a builtin, so callers may catch either."""


class TianbaoError(Exception):
    """Base class. The message is Chinese and meant for the user; `hint` says how to fix it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}（{self.hint}）"


class SpecError(TianbaoError, ValueError):
    """The declarative spec is invalid; the message names the path of the bad entry."""


class RosterError(TianbaoError, ValueError):
    """The roster file cannot be used; the message names the row."""


class FillError(TianbaoError, ValueError):
    """Values cannot be written into a template."""


class UsageError(TianbaoError, ValueError):
    """Bad arguments from the command line or the caller."""
