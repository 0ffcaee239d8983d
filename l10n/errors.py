"""Errors raised by the library. Each one names the file (and line) it is about."""

from __future__ import annotations

from pathlib import Path

# Documented exit codes of the command-line interface.
EXIT_OK = 0
EXIT_ERROR = 1  # bad input, failed gate, failed operation
EXIT_USAGE = 2  # bad command-line usage or configuration


class L10nError(Exception):
    """An error a user can act on: it carries the file and, when known, the line."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __reduce__(self) -> tuple[type[L10nError], tuple[str, str | None, int | None]]:
        # Errors raised in worker processes travel to the parent by pickle; the default
        # would rebuild them from the message alone and lose the file and line.
        return (self.__class__, (self.message, self.path, self.line))

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        # One line, always: the CLI prints this as is.
        return (where + self.message).replace("\n", " ")


class ConfigError(L10nError):
    """The workspace configuration is missing or invalid."""

    exit_code = EXIT_USAGE


class HtmlError(L10nError):
    """An article cannot be read, decoded or parsed."""


class CatalogError(L10nError):
    """A PO or POT file cannot be read or is invalid."""


class LocaleError(L10nError):
    """A locale code is unknown to Babel."""

    exit_code = EXIT_USAGE


class WorkspaceBusyError(L10nError):
    """Another l10n command is writing to the workspace."""


class ReviewError(L10nError):
    """A review decision or approval that cannot be carried out as asked."""


class ChangedMeanwhile(ReviewError):
    """What a decision was made on (an entry, a catalog) changed before it was saved."""


class ApprovalRefused(ReviewError):
    """A localized version is not complete enough to be approved; `reasons` says why."""

    def __init__(self, message: str, reasons: list[str], path: str | Path | None = None):
        super().__init__(message, path)
        self.reasons = list(reasons)
