"""A small progress bar on stderr for long generators (redrawn in place on a terminal, every 10 % otherwise)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, *, total: int, label: str = "", enabled: bool = True, stream: TextIO | None = None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self._drawn_at = 0.0
        self._last_decile = -1
        self._tty = self.stream.isatty()

    def advance(self, count: int, label: str | None = None) -> None:
        self.done += count
        if label is not None:
            self.label = label
        if not self.enabled:
            return
        now = time.perf_counter()
        fraction = min(self.done / self.total, 1.0)
        if self._tty and now - self._drawn_at >= 0.2:
            self._drawn_at = now
            self.stream.write("\r" + self._line(fraction, now))
            self.stream.flush()
        elif not self._tty and int(fraction * 10) > self._last_decile:
            self._last_decile = int(fraction * 10)
            self.stream.write(self._line(fraction, now) + "\n")

    def close(self) -> None:
        if self.enabled and (self._tty or self._last_decile < 10):
            line = self._line(min(self.done / self.total, 1.0), time.perf_counter())
            self.stream.write(("\r" + line if self._tty else line) + "\n")
            self.stream.flush()

    def _line(self, fraction: float, now: float) -> str:
        width = 30
        filled = int(fraction * width)
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        return (f"[{'#' * filled}{'.' * (width - filled)}] {fraction:6.1%} {self.done:>11,} rows "
                f"{rate:>10,.0f}/s {elapsed:7.1f}s {self.label:<24}")
