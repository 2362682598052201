"""Work budgets for tests: bound what a call may allocate, never how long it takes.

A wall-clock bound fails on a busy machine with the same code; a bound on the memory a
call allocates (Python's tracemalloc sees numpy's buffers too) fails only when the work
itself changes, e.g. when ``9**9**9`` is computed as a 370-million-digit integer instead
of overflowing to ∞. A hang is still caught by pytest-timeout.
"""

from __future__ import annotations

import contextlib
import tracemalloc
from collections.abc import Iterator

MIB = 2**20


@contextlib.contextmanager
def allocation_budget(limit_bytes: int, what: str = "the call") -> Iterator[None]:
    """Fail when the block's peak traced allocation exceeds ``limit_bytes``."""
    already = tracemalloc.is_tracing()
    if not already:
        tracemalloc.start()
    tracemalloc.reset_peak()
    start, _ = tracemalloc.get_traced_memory()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not already:
            tracemalloc.stop()
    used = peak - start
    assert used <= limit_bytes, f"{what} allocated {used / MIB:.1f} MiB at its peak; the budget is {limit_bytes / MIB:.1f} MiB"
