"""A tiny text progress bar on stderr (no dependency).

On a terminal it redraws one line with ``\\r``; elsewhere (logs, CI, pytest's
captured streams) it stays silent until ``close``, which writes one summary
line, so logs are not flooded.
"""

import sys
import time


class ProgressBar:
    """Progress bar over ``total`` steps.

    Parameters
    ----------
    total : int
        Number of steps.
    desc : str, default=''
        Text before the bar.
    enabled : bool, default=True
        False makes every method a no-op.
    file : file-like, default=None
        Where to draw; None means ``sys.stderr`` at construction time.
    width : int, default=30
        Characters in the bar.
    """

    def __init__(self, total, desc="", *, enabled=True, file=None, width=30):
        self.total, self.desc, self.enabled, self.width = max(int(total), 1), desc, enabled, width
        self.file = sys.stderr if file is None else file
        self.done = 0
        self.start = time.perf_counter()
        self._live = enabled and getattr(self.file, "isatty", lambda: False)()

    def update(self, n=1, note=""):
        """Advance by ``n`` steps; ``note`` is shown after the bar."""
        self.done = min(self.done + n, self.total)
        if self._live:
            filled = int(self.width * self.done / self.total)
            bar = "#" * filled + "." * (self.width - filled)
            elapsed = time.perf_counter() - self.start
            self.file.write(f"\r{self.desc} [{bar}] {self.done}/{self.total} "
                            f"{elapsed:5.1f}s {note}"[:120].ljust(100))
            self.file.flush()

    def close(self):
        """Finish the line with the elapsed time."""
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        prefix = "\r" if self._live else ""
        self.file.write(f"{prefix}{self.desc} {self.done}/{self.total} done in "
                        f"{elapsed:.1f}s".ljust(100 if self._live else 0) + "\n")
        self.file.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
