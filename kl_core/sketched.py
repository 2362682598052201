"""Continuous data read in chunks by an engine (DuckDB, Dask): from a sketch to an :class:`Empirical`.

The engines reduce the values to a :class:`~kl_core.sketch.ValueSketch` exactly as
:meth:`Empirical.from_samples` does in memory (same first pass, same cells); this module
turns the sketch into the :class:`Empirical` the fits and the app use, with display bins
by numpy's "auto" rule computed on the sketch (bins are for display only).
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

import numpy as np

from kl_core.empirical import MAX_BINS, Empirical, auto_bin_count, binned_from_table
from kl_core import sketch as sketch_module
from kl_core.sketch import FirstPass, ValueSketch

__all__ = ["empirical_from_sketch", "sketch_from_chunks"]

Chunks = Callable[[], Iterable[np.ndarray]]


def sketch_from_chunks(
    chunks: Chunks, exact_table: Callable[[int], tuple[np.ndarray, np.ndarray] | None],
    max_exact: int | None = None,
) -> ValueSketch:
    """The sketch of values read twice as chunks of finite floats (more than ``max_exact`` of them).

    ``chunks()`` starts a new pass over the data; ``exact_table(limit)`` returns the sorted
    distinct values and their counts, or None when there are more than ``limit``. The first
    pass decides (:meth:`~kl_core.sketch.ValueSketch.from_first_pass`) and places the cells;
    the second adds up each chunk's cells. ``max_exact`` defaults to
    :data:`kl_core.sketch.MAX_EXACT_VALUES`, read at call time.

    Examples
    --------
    >>> x = np.random.default_rng(1).normal(size=30_000)
    >>> parts = lambda: (x[i:i + 7_000] for i in range(0, x.size, 7_000))
    >>> sketch = sketch_from_chunks(parts, lambda limit: None, max_exact=1_000)
    >>> reference = ValueSketch.from_values(x, max_exact=1_000)
    >>> bool(np.array_equal(sketch.cell_counts, reference.cell_counts)), sketch.total
    (True, 30000.0)
    """
    max_exact = sketch_module.MAX_EXACT_VALUES if max_exact is None else max_exact
    first: FirstPass | None = None
    for chunk in chunks():
        if chunk.size:
            part = FirstPass.of(chunk, 64 if first is None else first.level)
            first = part if first is None else first.merge(part)
    if first is None:
        raise ValueError("no values to sketch")

    def cells(edges: np.ndarray) -> ValueSketch:
        sketch: ValueSketch | None = None
        for chunk in chunks():
            if chunk.size:
                part = ValueSketch.binned_chunk(chunk, edges)
                sketch = part if sketch is None else sketch.merge(part)
        assert sketch is not None
        return sketch

    return ValueSketch.from_first_pass(first, exact_table, cells, max_exact)


def empirical_from_sketch(
    sketch: ValueSketch, name: str = "", dropped: Mapping[str, int] | None = None, warnings: tuple[str, ...] = (),
    edges: np.ndarray | None = None,
) -> Empirical:
    """Continuous data known through its sketch, with display bins by numpy's "auto" rule on it (or ``edges``).

    Given ``edges`` must cover [min, max]; a fine cell cut by a display edge counts on the
    side of its mean value (display only: the fits use the sketch itself).

    Examples
    --------
    >>> x = np.random.default_rng(2).gamma(2.0, size=5_000)
    >>> emp = empirical_from_sketch(ValueSketch.from_values(x, max_exact=100), "hours", {"missing": 3})
    >>> emp.kind, emp.n, bool(emp.edges[0] == x.min()), bool(emp.edges[-1] == x.max()), dict(emp.dropped)
    ('binned', 5000.0, True, True, {'missing': 3})
    """
    dropped = dict(dropped or {})
    if edges is None and sketch.exact:
        emp = binned_from_table(sketch.values, sketch.counts, name, dropped)
        return Empirical(
            emp.support, emp.counts, "binned", emp.edges, emp.n, name, dropped, emp.warnings + warnings, sketch,
        )
    capped: tuple[str, ...] = ()
    if edges is None:
        count = auto_bin_count(sketch.values, sketch.counts)
        edges = np.linspace(sketch.low, sketch.high, count + 1)
        capped = (f"The rule for display bins asked for more than {MAX_BINS} bins; {MAX_BINS} are used.",) if count == MAX_BINS else ()
    shown, _ = np.histogram(np.clip(sketch.values, edges[0], edges[-1]), bins=edges, weights=sketch.counts)
    centres = edges[:-1] + np.diff(edges) / 2
    return Empirical(centres, shown.astype(float), "binned", edges, sketch.total, name, dropped, capped + warnings + sketch.warnings, sketch)
