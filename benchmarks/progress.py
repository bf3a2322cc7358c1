"""A one-line progress display on stderr (one line per step when stderr is not a terminal)."""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    def __init__(self, total: int = 0, enabled: bool = True) -> None:
        self.total = total
        self.done = 0
        self._started = time.monotonic()
        self.enabled = enabled
        self._tty = sys.stderr.isatty()

    def _elapsed(self) -> str:
        seconds = int(time.monotonic() - self._started)
        return f"{seconds // 60}:{seconds % 60:02d}"

    def note(self, message: str, transient: bool = False) -> None:
        """Show what is happening now, without counting a step.

        ``transient`` notes ("starting X ...") are only worth showing on a terminal, where the next
        line overwrites them; in a log they would double the output.
        """
        if not self.enabled or (transient and not self._tty):
            return
        line = f"[{self._elapsed()}] {message}"
        if self._tty:
            sys.stderr.write("\r\033[K" + line[:160])
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def step(self, message: str) -> None:
        """Count a finished step and show it, with an estimate of the time left."""
        self.done += 1
        eta = ""
        if self.total and self.done < self.total:
            per_step = (time.monotonic() - self._started) / self.done
            left = int(per_step * (self.total - self.done))
            eta = f"  ~{left // 60}:{left % 60:02d} left"
        counter = f"{self.done}/{self.total} " if self.total else ""
        self.note(f"{counter}{message}{eta}")

    def finish(self) -> None:
        if self.enabled and self._tty:
            sys.stderr.write("\n")
            sys.stderr.flush()
