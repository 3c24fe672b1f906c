"""The seeded draw of a group's opening window, reproducible by anyone with the seed.

Each application's ticket is ``sha256("<seed>:<application id>")`` read as hex; applications are
ordered by ticket. To re-verify a published draw::

    sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
"""

from __future__ import annotations

import hashlib
import secrets


def new_seed() -> str:
    return secrets.token_hex(16)


def ticket(seed: str, application_id: int) -> str:
    return hashlib.sha256(f"{seed}:{application_id}".encode()).hexdigest()


def draw_order(seed: str, application_ids: list[int]) -> list[int]:
    return sorted(application_ids, key=lambda application_id: ticket(seed, application_id))
