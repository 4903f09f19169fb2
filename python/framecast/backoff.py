"""Delays between reconnects, as Framecast's own push spaces them."""

from __future__ import annotations

import random

#: The first delay and the cap, in seconds (backend/backoff's defaults).
DEFAULT_FIRST = 0.5
DEFAULT_MAX = 10.0


class Backoff:
    """Backoff gives the delays before successive retries: they double from
    first up to cap, and each is jittered in the upper half of its step, so
    producers that lost the same relay do not all come back at once."""

    def __init__(self, first: float = DEFAULT_FIRST, cap: float = DEFAULT_MAX) -> None:
        if first <= 0 or cap < first:
            raise ValueError("backoff: 0 < first <= cap")
        self._first = first
        self._cap = cap
        self._step = first

    def next(self) -> float:
        """Return the delay before the next retry, and double the step."""
        d = self._step
        self._step = min(self._step * 2, self._cap)
        return d / 2 + random.uniform(0, d / 2)

    def reset(self) -> None:
        """Start again from the first step, after a success."""
        self._step = self._first
