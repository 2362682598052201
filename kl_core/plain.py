"""Nested options, params and measures as JSON-ready values: one walk, leaf rules chosen by the caller.

The report (strict JSON), the report's exact option round trip and the app's cache keys
all walk the same shapes (mappings, lists, tuples, arrays) and differ only in how a leaf
(a number, an ``Empirical``, text) is written; :func:`plain` does the walk.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

__all__ = ["plain"]


def plain(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """Mappings become dicts with text keys, sequences and arrays lists; ``leaf`` writes the rest.

    Examples
    --------
    >>> plain({"n": (1, 2), 3: np.array([0.5])}, repr)
    {'n': ['1', '2'], '3': ['0.5']}
    """
    if isinstance(value, Mapping):
        return {str(key): plain(item, leaf) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item, leaf) for item in value]
    if isinstance(value, np.ndarray):
        return [plain(item, leaf) for item in value.tolist()]
    return leaf(value)
