"""Participant counts that may be lower bounds: «более 1000» is kept as 1000 with a flag and printed as such."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


def participants_display(count: int | None, lower_bound: bool) -> str:
    if count is None:
        return "—"
    return _("более %(count)s") % {"count": count} if lower_bound else str(count)


@dataclass(frozen=True)
class Participants:
    """A number of participants; ``lower_bound`` when at least one part of it was «более N»."""

    count: int = 0
    lower_bound: bool = False

    def __add__(self, other: Participants) -> Participants:
        return Participants(self.count + other.count, self.lower_bound or other.lower_bound)

    def __str__(self) -> str:
        return participants_display(self.count, self.lower_bound)
