"""Domain errors: each carries a translated message a user can read."""

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A refused action; ``str(error.messages[0])`` is the user-facing reason in the active language."""


class CapacityError(DomainError):
    pass


class DuplicateError(DomainError):
    pass
