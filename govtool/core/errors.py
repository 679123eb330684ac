"""Domain errors raised by services; pages show them as flash messages, the API as JSON 4xx."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken; the message is meant for the user."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    status_code = 422
    code = "validation_error"


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class EditConflict(Conflict):
    """Someone saved the document since its form was loaded (core.locking): the page shows the
    saved text beside the sent one instead of a plain message."""

    code = "edit_conflict"
