"""Helpers for tests that race several database connections."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_together(count: int, work: Callable[[int], Any], *, before: Callable[[int], Any] | None = None,
                 timeout: float = 120) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released at once by a barrier (after each thread's optional
    ``before(i)``, e.g. loading what a request would load). Each result is the return value or the exception
    raised — the outcome under test. Every thread closes its own database connection."""
    barrier = threading.Barrier(count, timeout=timeout / 2)
    results: list[Any] = [None] * count

    def thread(index: int) -> None:
        try:
            if before is not None:
                before(index)
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # the outcome under test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a racing thread hung"
    return results
