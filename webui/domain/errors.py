"""Domain errors. Each carries a clear message, the field it concerns and its envelope code."""
from __future__ import annotations

from webui.domain.error_codes import Code


class DomainError(Exception):
    status = 400
    code = Code.INVALID_INPUT

    def __init__(self, message: str, field: str | None = None, code: Code | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class Invalid(DomainError):
    """Bad input. ``errors`` lists every problem found, as (field, message) pairs, the first
    being (self.field, self.message): a form shows them all at once, the API's envelope
    leads with the first."""
    status = 400
    code = Code.INVALID_INPUT

    def __init__(self, message: str, field: str | None = None, code: Code | None = None,
                 errors: list[tuple[str | None, str]] | None = None):
        super().__init__(message, field, code)
        self.errors = list(errors) if errors else [(field, message)]

    @classmethod
    def of(cls, errors: list[tuple[str | None, str]]) -> "Invalid":
        """One Invalid carrying every (field, message) of errors (at least one)."""
        field, message = errors[0]
        return cls(message, field, errors=errors)


class Forbidden(DomainError):
    status = 403
    code = Code.FORBIDDEN

    def __init__(self, message: str = "You lack the permissions to access this url.",
                 field: str | None = None, code: Code | None = None):
        super().__init__(message, field, code)


class NotFound(DomainError):
    status = 404
    code = Code.NOT_FOUND


class Conflict(DomainError):
    status = 409
    code = Code.NAME_TAKEN


class RuleViolation(Conflict):
    code = Code.RULE_VIOLATION


class ConcurrentChange(Conflict):
    code = Code.CONCURRENT_CHANGE

    def __init__(self, message: str = "Another request changed or deleted this meanwhile; "
                                      "reload and retry.",
                 field: str | None = None, code: Code | None = None):
        super().__init__(message, field, code)


class NotAuthenticated(DomainError):
    status = 401
    code = Code.NOT_AUTHENTICATED

    def __init__(self, message: str = "Not authorized: invalid user name and/or password.",
                 field: str | None = None, code: Code | None = None):
        super().__init__(message, field, code)
