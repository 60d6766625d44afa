"""The errors services raise: each carries a message already in the user's language."""

from __future__ import annotations

from datetime import datetime


class ServiceError(Exception):
    """Something the user asked for cannot be done; str(error) says why."""


class NotFoundError(ServiceError):
    pass


class ValidationError(ServiceError):
    """Input that saves nothing: `errors` maps each field name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("\n".join(self.errors.values()))


class ConcurrencyError(ServiceError):
    """Someone else saved the record since it was read; nothing was overwritten."""

    def __init__(self, message: str, changed_by: str, changed_at: datetime) -> None:
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(message)


class Cancelled(ServiceError):
    """The user cancelled long work; whatever it had started was rolled back."""
