"""What the raw-data fits keep of continuous data: exact values with counts, or a fine sketch.

A :class:`ValueSketch` is built once from raw observations (or a (value, count) table):

* while there are at most :data:`MAX_EXACT_VALUES` distinct values it holds them all,
  sorted, with their counts (``exact=True``): every fit is the raw-data maximum likelihood;
* beyond that it holds a fine histogram (``exact=False``) on :func:`sketch_edges` —
  :data:`BODY_CELLS` equal-width cells across the central 99.8 % of the data, log-spaced cells out to the
  exact minimum and maximum — with the mean of the values in each cell as its representative
  point, plus the sufficient statistics (N, mean, sum of squared deviations, the same for
  log x on positive data, min, max) that make the normal, log-normal, exponential and gamma
  fits exact at any size.

Both parts are *mergeable*: a chunk's sketch on the same edges adds to another's
(:meth:`ValueSketch.merge`), so an engine that reads in chunks (memory, DuckDB, Dask) can
build the same sketch. The edges come from a mergeable first pass (:class:`FirstPass`: count,
exact min and max, and a sample of distinct values chosen by a hash of each value, so its
quantiles do not depend on the order or the partitioning of the rows): every engine that
reads the same values places the same cells. The fitting error of the fine cells against
the raw-data MLE is measured by ``benchmarks/bench_core.py``, ``benchmarks/bench_stream.py``
and in ``tests/test_sketch.py``.
"""

from __future__ import annotations

import math
import queue
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Callable, Iterator, Protocol, Sequence, TypeVar

import numpy as np

__all__ = [
    "MAX_EXACT_VALUES", "SAMPLE_VALUES", "FirstPass", "Moments", "ValueSketch", "cell_index", "count_exactly",
    "first_pass", "sketch_edges", "value_hashes",
]

MAX_EXACT_VALUES = 2_000_000  # distinct values kept exactly; beyond, the fine sketch
# Equal-width cells between the 0.1 % and 99.9 % quantiles. 2**15 with the tails' cells is ~1 MB of
# (count, sum, error): it stays in a core's L2 cache while a pass scatters 10^7 values into it (2**17: 60 ms
# instead of 39 on 2 cores), and the fits it feeds stay within ~1e-5 of the raw-data MLE (bench_core --sketch).
BODY_CELLS = 2**15
TAIL_CELLS = 2**12  # log-spaced cells in each tail, out to the exact min / max
_CHUNK = 1 << 20  # values per pass in the chunked reduction (bounded extra memory)
_MERGE_EVERY = 8  # chunk first passes merged at once (bounded memory)
SAMPLE_VALUES = 1 << 16  # distinct values the first pass keeps to place the body
_TAIL_QUANTILE = 0.001


@dataclass(frozen=True)
class Moments:
    """Mergeable sufficient statistics: count, mean, sum of squared deviations (x and log x).

    ``log_mean``/``log_m2`` are NaN when some value is ≤ 0. Merging uses Chan et al.'s
    pairwise update, so chunks give the same numbers as one pass (to rounding).

    Examples
    --------
    >>> a, b = Moments.of(np.array([1.0, 2.0])), Moments.of(np.array([3.0, 4.0]))
    >>> merged = a.merge(b)
    >>> merged.n, merged.mean, merged.variance
    (4.0, 2.5, 1.25)
    """

    n: float
    mean: float
    m2: float
    log_mean: float
    log_m2: float
    low: float
    high: float

    @classmethod
    def of(cls, values: np.ndarray, weights: np.ndarray | None = None) -> "Moments":
        """Statistics of ``values`` (optionally weighted by counts)."""
        low, high = float(values.min()), float(values.max())
        n, mean, m2 = _weighted_mean_m2(values, weights, max(-low, high))
        if low > 0:
            log_mean_m2 = _weighted_mean_m2(np.log(values), weights, 1000.0)  # |log x| < 745
            log_mean, log_m2 = log_mean_m2[1], log_mean_m2[2]
        else:
            log_mean = log_m2 = math.nan
        return cls(n, mean, m2, log_mean, log_m2, low, high)

    def merge(self, other: "Moments") -> "Moments":
        """The statistics of both samples together."""
        n = self.n + other.n
        delta, log_delta = other.mean - self.mean, other.log_mean - self.log_mean
        mean = self.mean + delta * other.n / n
        if math.isinf(mean) and math.isfinite(self.mean) and math.isfinite(other.mean):
            mean = self.mean * (self.n / n) + other.mean * (other.n / n)  # means near the float limit
        return Moments(
            n,
            mean,
            self.m2 + other.m2 + _between(delta, self.n, other.n, n),
            self.log_mean + log_delta * other.n / n,
            self.log_m2 + other.log_m2 + _between(log_delta, self.n, other.n, n),
            min(self.low, other.low),
            max(self.high, other.high),
        )

    @property
    def variance(self) -> float:
        """Population variance (the normal's MLE of scale²)."""
        return self.m2 / self.n

    @property
    def log_variance(self) -> float:
        """Population variance of log x (NaN unless every value is positive)."""
        return self.log_m2 / self.n

    @property
    def warnings(self) -> tuple[str, ...]:
        """What a person must know when a statistic cannot be represented in floating point.

        Examples
        --------
        >>> Moments.of(np.array([-1e300, 1e300])).warnings[0][:47]
        'The values spread too widely for floating point'
        >>> Moments.of(np.array([1.0, 2.0])).warnings
        ()
        """
        if math.isinf(self.m2):
            return (
                "The values spread too widely for floating point: the sum of their squared deviations from the mean "
                "exceeds about 1.8e308, so their variance cannot be represented and fits that use it (the normal's "
                "scale, for one) are not reliable. Rescale the values (e.g. divide them all by 1e150) and fit again.",
            )
        if self.m2 == 0 and self.low < self.high:
            return (
                "The values differ by so little for floating point that their variance rounds to 0 (below about "
                "1e-308); fits that use it are not reliable. Rescale the values (e.g. multiply them all by 1e150) "
                "and fit again.",
            )
        return ()


_PLAIN_SCALE = 2.0**480  # below it (and above its inverse) squared deviations and their sums neither overflow nor vanish
_PLAIN_COUNT = 2.0**60


def _weighted_mean_m2(values: np.ndarray, weights: np.ndarray | None, scale: float) -> tuple[float, float, float]:
    """(n, mean, sum of squared deviations), weighted by counts when given; ``scale`` is the largest |value|.

    Values beyond ±2**480 (or all below 2**-480) are divided by a power of two first (exactly),
    so that finite data give a finite mean, and a sum of squares that is infinite only when it
    truly exceeds the float range (:attr:`Moments.warnings` then says so).

    Examples
    --------
    >>> _weighted_mean_m2(np.array([1e308, 1.5e308, 1.7e308]), None, 1.7e308)[1]
    1.4e+308
    """
    n = float(values.size) if weights is None else float(weights.sum())
    if scale == 0 or (1 / _PLAIN_SCALE <= scale <= _PLAIN_SCALE and n <= _PLAIN_COUNT):
        return n, *_mean_m2(values, weights, n)
    exponent = math.frexp(scale)[1]
    mean, m2 = _mean_m2(np.ldexp(values, -exponent), weights, n)
    return n, _ldexp(mean, exponent), _ldexp(m2, 2 * exponent)


def _mean_m2(values: np.ndarray, weights: np.ndarray | None, n: float) -> tuple[float, float]:
    # einsum, not np.dot: OpenBLAS threads a long dot product and its idle threads then spin.
    if weights is None:
        mean = float(values.sum() / n)
        deviations = values - mean
        return mean, float(np.einsum("i,i->", deviations, deviations))
    mean = float(np.einsum("i,i->", weights, values) / n)
    deviations = values - mean
    return mean, float(np.einsum("i,i->", weights, deviations * deviations))


def _ldexp(value: float, exponent: int) -> float:
    """``value * 2**exponent``, ±inf where that is beyond the float range."""
    try:
        return math.ldexp(value, exponent)
    except OverflowError:
        return math.copysign(math.inf, value)


def _between(delta: float, a: float, b: float, n: float) -> float:
    """``delta² · a · b / n``, the merge's between-sample sum of squares: infinite only when it truly is."""
    try:
        term = delta**2 * a * b / n
    except OverflowError:  # Python's float power raises where numpy's would give inf
        term = math.inf
    if math.isfinite(term) or not math.isfinite(delta):
        return term
    root = abs(delta) * math.sqrt(a * b / n)
    return root * root


@dataclass(frozen=True, eq=False)
class FirstPass:
    """What one pass over the finite values learns before the cells are placed; mergeable.

    ``values``/``counts`` are the distinct values whose hash (:func:`value_hashes`) lies
    below ``2**level``, with their counts: the largest such set of at most
    :data:`SAMPLE_VALUES` distinct values. Which values that is depends only on the data,
    never on how it was split into chunks or in what order they were merged, so the body
    quantiles and the cells built from them are the same in every engine.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=200_000)
    >>> whole = FirstPass.of(x)
    >>> parts = FirstPass.of(x[:70_000]).merge(FirstPass.of(x[70_000:]))
    >>> bool(np.array_equal(whole.values, parts.values)), whole.level == parts.level, parts.n
    (True, True, 200000.0)
    >>> bool(np.array_equal(whole.edges(), parts.edges()))
    True
    """

    n: float
    low: float
    high: float
    whole: bool
    level: int
    values: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, numbers: np.ndarray, level: int = 64) -> "FirstPass":
        """The first pass over finite ``numbers``, sampling below ``2**level`` (or a lower level)."""
        numbers = np.asarray(numbers, dtype=float)
        if numbers.size == 0:
            return cls(0.0, math.inf, -math.inf, True, level, np.empty(0), np.empty(0))
        return cls(float(numbers.size), float(numbers.min()), float(numbers.max()), _all_whole(numbers), *_sample(numbers, level))

    def merge(self, other: "FirstPass") -> "FirstPass":
        """The first pass over both samples."""
        return FirstPass.merged([self, other])

    @classmethod
    def merged(cls, parts: Sequence["FirstPass"]) -> "FirstPass":
        """The first pass over all the parts: ``parts[0].merge(parts[1]).merge(parts[2])...`` in one step.

        Examples
        --------
        >>> x = np.random.default_rng(0).normal(size=300_000)
        >>> parts = [FirstPass.of(x[i:i + 50_000]) for i in range(0, x.size, 50_000)]
        >>> whole = FirstPass.of(x)
        >>> merged = FirstPass.merged(parts)
        >>> bool(np.array_equal(merged.values, whole.values)), merged.level == whole.level, merged.n
        (True, True, 300000.0)
        """
        values = np.concatenate([part.values for part in parts])
        counts = np.concatenate([part.counts for part in parts])
        return cls(
            sum(part.n for part in parts), min(part.low for part in parts), max(part.high for part in parts),
            all(part.whole for part in parts), *_sample(values, min(part.level for part in parts), counts),
        )

    @property
    def complete(self) -> bool:
        """True when the sample holds every distinct value (then ``values``/``counts`` are the data)."""
        return self.level >= 64

    @property
    def distinct_estimate(self) -> float:
        """Number of distinct values: exact when :attr:`complete`, else the sample's size scaled up."""
        return float(self.values.size) * 2.0 ** (64 - self.level)

    def quantiles(self, probabilities: Sequence[float]) -> np.ndarray | None:
        """The sample's quantiles (observed values, each weighted by its count); None when the sample is empty.

        Examples
        --------
        >>> x = np.random.default_rng(0).normal(size=300_000)
        >>> q1, q3 = first_pass(x).quantiles([0.25, 0.75])
        >>> bool(abs((q3 - q1) - 1.349) < 0.03)  # the normal's interquartile range
        True
        """
        if self.values.size == 0:  # no hash fell below the level
            return None
        return np.quantile(self.values, probabilities, weights=self.counts, method="inverted_cdf")

    def body(self) -> tuple[float, float]:
        """The sample's 0.1 % and 99.9 % quantiles (observed values), where the equal-width cells go."""
        body = self.quantiles([_TAIL_QUANTILE, 1 - _TAIL_QUANTILE])
        if body is None:  # cells over the whole range
            return self.low, self.high
        return float(body[0]), float(body[1])

    def edges(self) -> np.ndarray:
        """The fine cells' edges for these values: :func:`sketch_edges` on min, max and :meth:`body`."""
        return sketch_edges(self.low, self.high, *self.body())


def count_exactly(first: FirstPass, max_exact: int | None = None) -> bool:
    """Whether the values should be counted exactly (few enough rows or distinct values) rather than sketched.

    Every engine asks this of the same :class:`FirstPass`, so they agree. An exact count may
    still find more than ``max_exact`` distinct values; then the fine sketch is built after all.

    Examples
    --------
    >>> count_exactly(FirstPass.of(np.arange(10.0)), max_exact=8), count_exactly(FirstPass.of(np.arange(10.0) % 3), max_exact=8)
    (False, True)
    """
    max_exact = MAX_EXACT_VALUES if max_exact is None else max_exact
    return first.n <= max_exact or first.distinct_estimate <= max_exact / 2


def value_hashes(numbers: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A 64-bit hash of each float's value (splitmix64 of its bits; -0.0 and 0.0 hash alike), into ``out`` if given.

    Examples
    --------
    >>> h = value_hashes(np.array([0.0, -0.0, 1.5]))
    >>> bool(h[0] == h[1]), bool(h[0] != h[2])
    (True, True)
    """
    numbers = np.asarray(numbers, dtype=float)
    flat = np.ascontiguousarray(numbers.ravel())
    hashes = np.empty(flat.size, dtype=np.uint64) if out is None else out[:flat.size]
    _kernels().value_hashes(flat, hashes)
    return hashes.reshape(numbers.shape)


def _kernels():  # noqa: ANN202 - the compiled loops' module, imported on first use (numba is a large import)
    from kl_core import sketch_kernels

    return sketch_kernels


def _sample(numbers: np.ndarray, level: int, weights: np.ndarray | None = None) -> tuple[int, np.ndarray, np.ndarray]:
    """``_shrink(level, *distinct values hashing below 2**level, with their counts)``, without sorting them all.

    ``weights`` are the counts of ``numbers`` (samples being merged), else each counts once.
    A trial level that keeps about twice :data:`SAMPLE_VALUES` values is tried first: when
    more than SAMPLE_VALUES distinct values hash below it, the SAMPLE_VALUES + 1 smallest
    hashes (which fix the shrunk level) are among them, so the result is the same as from
    every value.
    """
    hashes = value_hashes(numbers) if level < 64 or numbers.size > 2 * SAMPLE_VALUES else None
    trial = _trial_level(numbers.size, level)
    while True:
        keep = None if hashes is None or trial >= 64 else _below(hashes, trial)
        kept = numbers if keep is None else numbers[keep]
        if weights is None:
            values, counts = np.unique(kept + 0.0, return_counts=True)  # + 0.0: -0.0 and 0.0 are one value
            counts = counts.astype(float)
        else:
            values, inverse = np.unique(kept, return_inverse=True)
            counts = np.bincount(inverse, weights=weights if keep is None else weights[keep], minlength=values.size)
        if values.size > SAMPLE_VALUES or trial >= level:
            return _shrink(trial, values, counts)
        trial = min(trial + 2, level)


def _all_whole(numbers: np.ndarray) -> bool:
    """Whether every value is a whole number; a fraction among the first values answers at once."""
    head = numbers[:1024]
    if not np.all(head == np.floor(head)):
        return False
    return bool(np.all(numbers == np.floor(numbers)))


def _below(hashes: np.ndarray, level: int) -> np.ndarray:
    return hashes < np.uint64(1 << level) if level < 64 else np.ones(hashes.size, dtype=bool)


def _shrink(level: int, values: np.ndarray, counts: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Lower the level until at most SAMPLE_VALUES distinct values hash below ``2**level``."""
    if values.size <= SAMPLE_VALUES:
        return level, values, counts
    hashes = value_hashes(values)
    cut = int(np.partition(hashes, SAMPLE_VALUES)[SAMPLE_VALUES])  # the smallest hash that must go
    level = min(level, max(cut.bit_length() - 1, 0))  # 2**level <= cut
    keep = _below(hashes, level)
    return level, values[keep], counts[keep]


class CellVisitor(Protocol):
    """Who wants the raw values of some fine cells while a fine sketch is built (the display bins that cut them)."""

    def marked(self, edges: np.ndarray) -> np.ndarray:
        """One flag per fine cell on ``edges``: True where its values are wanted."""

    def keep(self, values: np.ndarray) -> None:
        """Take one chunk's values in the marked cells (called from a worker thread)."""


@dataclass(frozen=True, eq=False)
class ValueSketch:
    """Continuous data as the fits need it; see the module docstring.

    Parameters
    ----------
    values : ndarray
        Sorted distinct values (exact) or each occupied fine cell's mean value.
    counts : ndarray
        Weight of each value or cell (float64, summing to ``total``).
    exact : bool
        True when ``values`` are the data's distinct values.
    edges : ndarray or None
        The fine cells' edges (not exact), aligned with every cell, occupied or not.
    cell_counts, cell_sums : ndarray or None
        Per fine cell (all of them): count and sum of values; what :meth:`merge` adds.
    cell_errors : ndarray or None
        Per fine cell: the rounding errors of ``cell_sums`` (compensated summation), so that
        ``cell_sums + cell_errors`` is the same in every engine, however the values were split
        into chunks and in whatever order the chunks were merged.
    moments : Moments
        Sufficient statistics of the raw values.

    Examples
    --------
    >>> sketch = ValueSketch.from_values(np.array([2.0, 1.0, 2.0]))
    >>> sketch.values.tolist(), sketch.counts.tolist(), sketch.exact, sketch.total
    ([1.0, 2.0], [1.0, 2.0], True, 3.0)
    """

    values: np.ndarray
    counts: np.ndarray
    exact: bool
    moments: Moments
    edges: np.ndarray | None = None
    cell_counts: np.ndarray | None = None
    cell_sums: np.ndarray | None = None
    cell_errors: np.ndarray | None = None

    @property
    def low(self) -> float:
        """Exact minimum."""
        return self.moments.low

    @property
    def high(self) -> float:
        """Exact maximum."""
        return self.moments.high

    @property
    def total(self) -> float:
        """N, the sum of the weights."""
        return float(self.moments.n)

    @property
    def size(self) -> int:
        """Number of distinct values (exact) or occupied cells."""
        return int(self.values.size)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Statistics of the values that floating point cannot represent (:attr:`Moments.warnings`)."""
        return self.moments.warnings

    # ------------------------------------------------------------------ building
    @classmethod
    def from_values(
        cls, numbers: np.ndarray, max_exact: int | None = None, first: FirstPass | None = None,
        visit: CellVisitor | None = None,
    ) -> "ValueSketch":
        """Sketch finite raw values: exact while at most ``max_exact`` (:data:`MAX_EXACT_VALUES`) are distinct.

        ``first`` is :func:`first_pass` of ``numbers`` when the caller already has it; ``visit``
        sees every chunk of values with its fine cells if the fine sketch is built
        (:meth:`from_cells_of`).

        Examples
        --------
        >>> x = np.random.default_rng(0).normal(size=5_000)
        >>> sketch = ValueSketch.from_values(x, max_exact=1_000)
        >>> sketch.exact, sketch.total, bool(sketch.low == x.min()), sketch.edges.size > BODY_CELLS
        (False, 5000.0, True, True)
        """
        numbers = np.asarray(numbers, dtype=float)
        max_exact = MAX_EXACT_VALUES if max_exact is None else max_exact
        if numbers.size <= max_exact:
            values, counts = np.unique(numbers, return_counts=True)
            return cls.from_table(values, counts.astype(float))

        def exact_table(limit: int) -> tuple[np.ndarray, np.ndarray] | None:
            values, counts = np.unique(numbers, return_counts=True)
            return (values, counts.astype(float)) if values.size <= limit else None

        def cells(edges: np.ndarray) -> "ValueSketch":
            return cls.from_cells_of(numbers, edges, visit)

        return cls.from_first_pass(first_pass(numbers) if first is None else first, exact_table, cells, max_exact)

    @classmethod
    def from_first_pass(
        cls, first: FirstPass, exact_table: Callable[[int], tuple[np.ndarray, np.ndarray] | None],
        cells: Callable[[np.ndarray], "ValueSketch"], max_exact: int | None = None,
    ) -> "ValueSketch":
        """The one decision every engine makes after its first pass over more than ``max_exact`` values.

        Exact when the first pass saw every distinct value, or when it estimates few and
        ``exact_table(max_exact)`` (sorted distinct values and counts, None if more than
        ``max_exact``) finds at most ``max_exact``; otherwise ``cells(edges)``, the fine
        sketch on :meth:`FirstPass.edges`.
        """
        max_exact = MAX_EXACT_VALUES if max_exact is None else max_exact
        if first.complete and first.values.size <= max_exact:
            return cls.from_table(first.values, first.counts)
        if count_exactly(first, max_exact):
            table = exact_table(max_exact)
            if table is not None:
                return cls.from_table(*table)
        return cells(first.edges())

    @classmethod
    def from_table(cls, values: np.ndarray, counts: np.ndarray) -> "ValueSketch":
        """An exact sketch of distinct sorted ``values`` with positive ``counts``."""
        values, counts = np.asarray(values, dtype=float), np.asarray(counts, dtype=float)
        return cls(values, counts, True, Moments.of(values, counts))

    @classmethod
    def binned_chunk(cls, numbers: np.ndarray, edges: np.ndarray) -> "ValueSketch":
        """One chunk's fine-cell sketch on ``edges`` (which must hold every value): merge chunks."""
        numbers = np.ascontiguousarray(numbers, dtype=float)
        cells = np.zeros((edges.size - 1, 3))
        _, moments = _chunk_cells(numbers, edges, _Grid.run_of(edges), _NO_CELLS, _Scratch(numbers.size), cells)
        return cls._from_cells(edges, cells[:, 0].copy(), cells[:, 1].copy(), cells[:, 2].copy(), moments)

    @classmethod
    def from_cells_of(cls, numbers: np.ndarray, edges: np.ndarray, visit: CellVisitor | None = None) -> "ValueSketch":
        """The fine sketch of finite ``numbers`` on ``edges``: :meth:`binned_chunk` of each chunk of
        ``_CHUNK`` values merged in order (the same numbers), without the intermediate sketches.

        ``visit``, when given, marks some cells (:meth:`CellVisitor.marked`, once) and is handed each
        chunk's values in them (:meth:`CellVisitor.keep`, from a worker thread, the chunks in any order).

        Examples
        --------
        >>> x = np.random.default_rng(0).gamma(2.0, size=5_000)
        >>> edges = sketch_edges(float(x.min()), float(x.max()), 0.1, 9.0)
        >>> whole, merged = ValueSketch.from_cells_of(x, edges), ValueSketch.binned_chunk(x, edges)
        >>> bool(np.array_equal(whole.values, merged.values)), whole.moments == merged.moments
        (True, True)
        """
        edges = np.ascontiguousarray(edges, dtype=float)
        run = _Grid.run_of(edges)
        marked = _NO_CELLS if visit is None else np.ascontiguousarray(visit.marked(edges), dtype=bool)
        # One running (count, sum, error) table per worker: the compensated sums give the same
        # cells whichever worker counted which chunk, and no chunk allocates or merges a table.
        tables: dict[int, np.ndarray] = {}  # by id of the worker's scratch (one worker uses it at a time)
        moments: Moments | None = None

        def reduce(chunk: np.ndarray, scratch: _Scratch) -> Moments:
            table = tables.get(id(scratch))
            if table is None:
                table = tables[id(scratch)] = np.zeros((edges.size - 1, 3))
            kept, part = _chunk_cells(chunk, edges, run, marked, scratch, table)
            if visit is not None and kept.size:
                visit.keep(kept)
            return part

        for part in _in_order(reduce, numbers):
            moments = part if moments is None else moments.merge(part)
        if moments is None:
            raise ValueError("no values to sketch")
        first, *others = tables.values()
        for table in others:
            first[:, 0] += table[:, 0]
            _kernels().sums_added(first[:, 1], first[:, 2], table[:, 1], table[:, 2])
        cell_counts, cell_sums, cell_errors = np.ascontiguousarray(first.T)
        return cls._from_cells(edges, cell_counts, cell_sums, cell_errors, moments)

    @classmethod
    def _from_cells(
        cls, edges: np.ndarray, cell_counts: np.ndarray, cell_sums: np.ndarray, cell_errors: np.ndarray, moments: Moments,
    ) -> "ValueSketch":
        used = cell_counts > 0
        means = (cell_sums[used] + cell_errors[used]) / cell_counts[used]  # the exact sum, rounded once
        means = np.clip(means, edges[:-1][used], edges[1:][used])  # rounding never leaves the cell
        return cls(means, cell_counts[used], False, moments, edges, cell_counts, cell_sums, cell_errors)

    def merge(self, other: "ValueSketch") -> "ValueSketch":
        """The sketch of both samples: fine sketches on the same edges add cell by cell.

        Examples
        --------
        >>> edges = sketch_edges(0.0, 10.0, 1.0, 9.0)
        >>> a = ValueSketch.binned_chunk(np.array([0.0, 5.0]), edges)
        >>> b = ValueSketch.binned_chunk(np.array([5.0, 10.0]), edges)
        >>> merged = a.merge(b)
        >>> merged.total, merged.counts.tolist(), merged.low, merged.high
        (4.0, [1.0, 2.0, 1.0], 0.0, 10.0)
        """
        if self.exact or other.exact:
            raise ValueError("only fine sketches on the same edges merge; build both with binned_chunk")
        if self.edges.size != other.edges.size or not np.array_equal(self.edges, other.edges):
            raise ValueError("sketches on different edges cannot be merged")
        sums, errors = self.cell_sums.copy(), self.cell_errors.copy()
        _kernels().sums_added(sums, errors, other.cell_sums, other.cell_errors)
        return ValueSketch._from_cells(
            self.edges, self.cell_counts + other.cell_counts, sums, errors, self.moments.merge(other.moments),
        )

    def with_counts(self, counts: np.ndarray) -> "ValueSketch":
        """The same values (or occupied cells) with new weights, e.g. a bootstrap resample."""
        counts = np.asarray(counts, dtype=float)
        keep = counts > 0
        values = self.values[keep]
        moments = Moments.of(values, counts[keep])
        moments = replace(moments, low=self.low, high=self.high) if not self.exact else moments
        if self.exact:
            return ValueSketch(values, counts[keep], True, moments)
        cell_counts = np.zeros_like(self.cell_counts)
        occupied = np.flatnonzero(self.cell_counts > 0)
        cell_counts[occupied] = counts
        cell_sums = np.zeros_like(self.cell_sums)
        cell_sums[occupied] = counts * self.values
        return ValueSketch(values, counts[keep], False, moments, self.edges, cell_counts, cell_sums, np.zeros_like(cell_sums))

    def to_plain(self) -> dict:
        """JSON-ready lists that :meth:`from_plain` turns back into the same sketch.

        Examples
        --------
        >>> sketch = ValueSketch.from_values(np.array([0.5, 1.5, 1.5]))
        >>> ValueSketch.from_plain(sketch.to_plain()).counts.tolist()
        [1.0, 2.0]
        """
        if self.exact:
            return {"exact": True, "values": self.values.tolist(), "counts": self.counts.tolist()}
        moments = self.moments
        return {
            "exact": False, "edges": self.edges.tolist(), "cell_counts": self.cell_counts.tolist(),
            "cell_sums": self.cell_sums.tolist(), "cell_errors": self.cell_errors.tolist(),
            "moments": [None if math.isnan(v) else v for v in (
                moments.n, moments.mean, moments.m2, moments.log_mean, moments.log_m2, moments.low, moments.high)],
        }

    @classmethod
    def from_plain(cls, data: dict) -> "ValueSketch":
        """The sketch :meth:`to_plain` described (ValueError when the lists do not line up)."""
        if data.get("exact"):
            values, counts = np.asarray(data["values"], dtype=float), np.asarray(data["counts"], dtype=float)
            if values.ndim != 1 or values.shape != counts.shape or values.size == 0:
                raise ValueError("sketch values and counts do not line up")
            return cls.from_table(values, counts)
        edges = np.asarray(data["edges"], dtype=float)
        cell_counts, cell_sums = np.asarray(data["cell_counts"], dtype=float), np.asarray(data["cell_sums"], dtype=float)
        cell_errors = np.asarray(data.get("cell_errors", np.zeros(cell_sums.size)), dtype=float)  # (older plain forms: none)
        if edges.ndim != 1 or cell_counts.size != edges.size - 1 or not cell_sums.size == cell_errors.size == cell_counts.size:
            raise ValueError("sketch edges and cells do not line up")
        moments = Moments(*(math.nan if v is None else float(v) for v in data["moments"]))
        return cls._from_cells(edges, cell_counts, cell_sums, cell_errors, moments)

    def digest_bytes(self) -> bytes:
        """The bytes that identify this sketch (for :meth:`kl_core.empirical.Empirical.fingerprint`)."""
        if self.exact:
            return b"exact" + self.values.tobytes() + self.counts.tobytes()
        return b"fine" + self.edges.tobytes() + self.cell_counts.tobytes() + self.values.tobytes()

    def cells(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(left edges, right edges, counts) of the occupied fine cells (not exact only)."""
        if self.exact:
            raise ValueError("an exact sketch has values, not cells")
        used = self.cell_counts > 0
        return self.edges[:-1][used], self.edges[1:][used], self.cell_counts[used]


def sketch_edges(low: float, high: float, body_low: float, body_high: float) -> np.ndarray:
    """Fine-cell edges: equal width over [body_low, body_high], log-spaced out to ``low``/``high``.

    Deterministic in its four numbers (min, max and two quantiles), so every engine that
    agrees on them builds the same cells.

    Examples
    --------
    >>> edges = sketch_edges(-100.0, 1e6, -3.0, 3.0)
    >>> float(edges[0]), float(edges[-1]), bool(np.all(np.diff(edges) > 0)), edges.size - 1 > BODY_CELLS
    (-100.0, 1000000.0, True, True)
    """
    body_low, body_high = max(body_low, low), min(body_high, high)
    if not body_high > body_low:
        body_low, body_high = low, high
    body = np.linspace(body_low, body_high, BODY_CELLS + 1)
    width = (body_high - body_low) / BODY_CELLS
    parts = [body]
    if high > body_high:
        parts.append(body_high + _log_steps(high - body_high, width))
    if low < body_low:
        parts.insert(0, (body_low - _log_steps(body_low - low, width))[::-1])
    edges = np.concatenate(parts)
    if not np.all(edges[1:] > edges[:-1]):  # (a body narrower than its rounding repeats edges)
        edges = np.unique(edges)
    edges[0], edges[-1] = low, high
    return edges[np.concatenate([[True], np.diff(edges) > 0])]


def cell_index(numbers: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The cell of each value: ``searchsorted(edges, numbers, "right") - 1``, clipped to the cells.

    The equal-width body of :func:`sketch_edges` is located by arithmetic: a value's position
    ``(x - origin) * scale`` is computed with the same rounding as every body edge's, and
    rounding never reverses an order, so a position farther from the next whole number
    than any edge's position is from its index (:class:`_Grid`) is certainly in that cell.
    Only the others (the tails, values within rounding of an edge) are binary-searched.
    The result is the binary search's, for any increasing edges, at a fraction of its cost.

    Examples
    --------
    >>> edges = sketch_edges(-100.0, 1e6, -3.0, 3.0)
    >>> x = np.array([-100.0, -3.0, 0.0, 2.999, 3.0, 5e5, 1e6])
    >>> bool(np.array_equal(cell_index(x, edges), np.clip(np.searchsorted(edges, x, "right") - 1, 0, edges.size - 2)))
    True
    """
    numbers = np.asarray(numbers, dtype=float)
    flat = np.ascontiguousarray(numbers.ravel())
    index = np.empty(flat.size, dtype=np.intp)
    _kernels().cell_indices(flat, np.ascontiguousarray(edges, dtype=float), *_Grid.run_of(edges), index)
    return index.reshape(numbers.shape)


@dataclass(frozen=True)
class _Grid:
    """The equal-width run of edges ``first .. stop``, as positions ``(edge - origin) * scale`` ≈ 0, 1, 2, ...

    ``slack`` is the largest distance of an edge's computed position from its index (plus a
    margin): a value whose position's fraction lies farther than that from 0 and 1 is in
    the cell its position's floor names. When rounding is coarse (a narrow body far from
    zero), ``slack`` is 0.5 or more and every value is binary-searched instead.
    """

    first: int
    stop: int
    origin: float
    scale: float
    slack: float

    @classmethod
    def of(cls, edges: np.ndarray) -> "_Grid | None":
        widths = np.diff(edges)
        typical = float(np.median(widths)) if widths.size else 0.0
        same = np.flatnonzero(np.abs(widths - typical) <= 1e-6 * typical)
        if same.size == 0:
            return None
        first, stop = int(same[0]), int(same[-1]) + 1
        if stop - first < 2 or not math.isfinite(float(edges[stop] - edges[first])):
            return None
        origin, scale = float(edges[first]), (stop - first) / float(edges[stop] - edges[first])
        positions = (edges[first:stop + 1] - origin) * scale  # the rounding every value's position gets
        slack = float(np.max(np.abs(positions - np.arange(stop - first + 1)))) + 1e-9
        return cls(first, stop, origin, scale, slack)

    @classmethod
    def run_of(cls, edges: np.ndarray) -> tuple[float, float, int, int, float]:
        """(origin, scale, first, stop, slack) for the compiled loops; an empty run (search every value) if none."""
        grid = cls.of(edges)
        return (0.0, 0.0, 0, 0, 1.0) if grid is None else (grid.origin, grid.scale, grid.first, grid.stop, grid.slack)


def _signed_extremes(chunk: np.ndarray, low: float, high: float) -> tuple[float, float]:
    """The compiled loops' min and max, with numpy's sign where an extreme is a zero (-0.0 and 0.0 compare equal)."""
    return (float(chunk.min()) if low == 0 else low), (float(chunk.max()) if high == 0 else high)


def _chunk_cells(
    chunk: np.ndarray, edges: np.ndarray, run: tuple[float, float, int, int, float], marked: np.ndarray, scratch: "_Scratch",
    cells: np.ndarray,
) -> tuple[np.ndarray, Moments]:
    """One chunk counted and summed into ``cells`` (counts, sums and the sums' rounding errors, added to
    what they hold); the chunk's values in ``marked`` cells, and its Moments."""
    chunk = np.ascontiguousarray(chunk)  # (a strided column is copied a chunk at a time)
    n, mean, m2, log_mean, log_m2, low, high, kept = _kernels().cells_and_moments(chunk, edges, *run, cells, marked, scratch.floats)
    low, high = _signed_extremes(chunk, low, high)
    scale = max(-low, high)
    if not (scale == 0 or 1 / _PLAIN_SCALE <= scale <= _PLAIN_SCALE):  # values near the float limits: scaled sums
        return kept, Moments.of(chunk)
    return kept, Moments(n, mean, m2, log_mean, log_m2, low, high)


_NO_CELLS = np.zeros(0, dtype=bool)  # no cell's values wanted


def _log_steps(distance: float, first: float) -> np.ndarray:
    """TAIL_CELLS distances from ``first`` (one body cell) to ``distance``, geometric."""
    first = min(max(first, distance * 1e-12), distance)
    return np.geomspace(first, distance, TAIL_CELLS)


def first_pass(numbers: np.ndarray) -> FirstPass:
    """The :class:`FirstPass` over an array of finite values, chunk by chunk (bounded extra memory).

    Each chunk keeps the values whose hash lies below one trial level chosen for the whole
    array (about 1.5 to 3 times :data:`SAMPLE_VALUES` of them), so the distinct values are
    sorted once, not chunk by chunk. The sample is the same as :meth:`FirstPass.of`'s (it
    depends only on the data); when the trial level keeps too few distinct values (many
    ties) the chunks' first passes are merged instead.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=300_000)
    >>> whole, chunked = FirstPass.of(x), first_pass(x)
    >>> bool(np.array_equal(whole.values, chunked.values)), whole.level == chunked.level, chunked.n
    (True, True, 300000.0)
    """
    if numbers.size <= _CHUNK:
        return FirstPass.of(numbers)
    trial = _trial_level(numbers.size, 64)
    bound = np.uint64(1 << trial) if trial < 64 else np.uint64(0)

    def look(chunk: np.ndarray, scratch: _Scratch) -> tuple[float, float, bool, np.ndarray]:
        chunk = np.ascontiguousarray(chunk)  # (a strided column is copied a chunk at a time)
        low, high, whole, k = _kernels().first_look(chunk, bound, scratch.floats)
        low, high = _signed_extremes(chunk, low, high)
        kept = (chunk if trial >= 64 else scratch.floats[:k]) + 0.0  # a copy, with -0.0 as 0.0
        kept.sort()  # here in the workers: below, the sorted runs merge in a fraction of a sort's time
        return low, high, whole, kept

    looks = list(_in_order(look, numbers))
    values, counts = _distinct(np.sort(np.concatenate([kept for *_, kept in looks]), kind="stable"))
    if values.size <= SAMPLE_VALUES and trial < 64:
        return _merged_first_passes(numbers)  # too few distinct values below the trial level: raise it chunk by chunk
    level, values, counts = _shrink(trial, values, counts.astype(float))
    return FirstPass(
        float(numbers.size), min(low for low, *_ in looks),
        max(high for _, high, *_ in looks), all(whole for _, _, whole, _ in looks), level, values, counts,
    )


def _distinct(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(ordered, return_counts=True)`` of a sorted array, without sorting it again.

    Examples
    --------
    >>> values, counts = _distinct(np.array([1.0, 1.0, 2.5, 4.0, 4.0, 4.0]))
    >>> values.tolist(), counts.tolist()
    ([1.0, 2.5, 4.0], [2, 1, 3])
    """
    first = np.empty(ordered.size, dtype=bool)  # where a run of equal values starts
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return ordered[starts], np.diff(np.concatenate([starts, [ordered.size]]))


def _trial_level(size: int, level: int) -> int:
    """A first level to sample ``size`` values at: about 1.5 to 3 times SAMPLE_VALUES of them hash below it."""
    return min(level, 64 - max(int(math.log2(max(size, 1) / (1.5 * SAMPLE_VALUES))), 0))


def _merged_first_passes(numbers: np.ndarray) -> FirstPass:
    """:func:`first_pass` as each chunk's :meth:`FirstPass.of`, merged."""
    parts: list[FirstPass] = []
    for chunk in _chunks(numbers):
        parts.append(FirstPass.of(chunk))
        if len(parts) == _MERGE_EVERY:
            parts = [FirstPass.merged(parts)]
    return parts[0] if len(parts) == 1 else FirstPass.merged(parts)


def _chunks(numbers: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, numbers.size, _CHUNK):
        yield numbers[start:start + _CHUNK]


class _Scratch:
    """One worker's preallocated temporaries for a chunk: made once per pass, not per chunk in each thread
    (a thread's malloc arena keeps what it freed: per-chunk temporaries in two threads raised a 10M-row
    upload's peak by 45 MB)."""

    def __init__(self, size: int) -> None:
        self.floats = np.empty(size)  # the values a pass keeps (hash sample, marked cells), logs, or shifted integers


Result = TypeVar("Result")
_WORKERS = 2  # threads over the chunks (the compiled loops and numpy's release the GIL)


def _in_order(work: Callable[[np.ndarray, _Scratch], Result], numbers: np.ndarray) -> Iterator[Result]:
    """``work(chunk, scratch)`` for each chunk of ``_CHUNK`` values, the results in chunk order.

    Up to :data:`_WORKERS` chunks are worked on at once, each worker with its own
    :class:`_Scratch` (used by one worker at a time); at most one more result waits to be
    taken, so memory stays bounded.
    """
    starts = range(0, numbers.size, _CHUNK)
    workers = min(_WORKERS, len(starts))
    if workers < 2:
        scratch = _Scratch(min(numbers.size, _CHUNK))
        for chunk in _chunks(numbers):
            yield work(chunk, scratch)
        return
    free: queue.SimpleQueue[_Scratch] = queue.SimpleQueue()
    for _ in range(workers):
        free.put(_Scratch(_CHUNK))

    def run(start: int) -> Result:
        scratch = free.get()
        try:
            return work(numbers[start:start + _CHUNK], scratch)
        finally:
            free.put(scratch)

    with ThreadPoolExecutor(workers, thread_name_prefix="kl_sketch") as pool:
        pending: deque[Future[Result]] = deque()
        try:
            for start in starts:
                pending.append(pool.submit(run, start))
                if len(pending) > workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
