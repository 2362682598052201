"""Compiled single-pass loops of the fine sketch (numba): one chunk's first look, and its cells and moments.

numpy makes each step of the sketch a pass of its own over memory (cell positions, the
misplaced ones' search, two ``np.bincount`` calls, min, max, sum, deviations, log, ...),
and ``np.bincount`` holds the GIL, so two threads barely help. Here each chunk is read
twice by loops that release the GIL, plus once by ``np.log`` where the log moments are
wanted (numpy's vector log beats a compiled loop's call per value). The results are those of the numpy
definitions they replace, which the tests check value by value:

* :func:`value_hashes` — splitmix64 of each value's bits;
* :func:`first_look` — ``min``, ``max``, whether every value is whole, and the values
  with ``value_hashes(chunk) < 2**level``, bit for bit;
* :func:`cell_indices` — ``searchsorted(edges, x, "right") - 1``, clipped, exactly;
* :func:`sums_added` — two such compensated sums added (Knuth's two-sum, as each value is);
* :func:`cells_and_moments` — the cells' counts and sums (compensated: the sum and its
  rounding error, so that every order of the values gives the same total), the values of chosen cells
  (those a display bin's edge crosses), and the chunk's
  mean, squared deviations and the same of log x: numpy's two-pass statistics to
  rounding (summed in blocks, the logs shifted by log(mean)). It is the one function
  here that is not compiled: it joins two compiled loops and ``np.log``.

This module imports numba, so it is imported only where a fine sketch is built
(:mod:`kl_core.sketch` loads it lazily): ``import kl_core`` stays fast.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numba
import numpy as np

__all__ = ["cell_indices", "compiled", "cells_and_moments", "first_look", "sums_added", "value_hashes"]

_SUM_BLOCK = 256  # values summed naively before their block sum joins the total (error ~ (256 + n/256)·ε, not n·ε)


def compiled(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``numba.njit`` releasing the GIL, its machine code cached on disk (next to this file, else in the
    user's cache folder); where no folder is writable (a read-only install), compiled once per process.

    Examples
    --------
    >>> namespace = {}
    >>> exec("def twice(x): return 2 * x", namespace)  # no file: nowhere to cache
    >>> compiled()(namespace["twice"])(21)
    42
    """
    def decorate(function: Callable[..., Any]) -> Any:
        try:
            return numba.njit(cache=True, nogil=True, **options)(function)
        except RuntimeError:  # numba: "cannot cache function ...: no locator available"
            return numba.njit(nogil=True, **options)(function)

    return decorate


@compiled(inline="always")
def _hash(value: float, bits: np.uint64) -> np.uint64:
    """splitmix64 of a float's bits (``bits``), with -0.0 hashed as 0.0."""
    z = bits if value != 0.0 else np.uint64(0)
    z += np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@compiled()
def value_hashes(numbers: np.ndarray, out: np.ndarray) -> None:
    """``out[i]`` = the 64-bit hash of ``numbers[i]`` (1-D float64, C-contiguous).

    Examples
    --------
    >>> out = np.empty(3, dtype=np.uint64)
    >>> value_hashes(np.array([0.0, -0.0, 1.5]), out)
    >>> bool(out[0] == out[1]), bool(out[0] != out[2]), hex(out[0])
    (True, True, '0xe220a8397b1dcdaf')
    """
    bits = numbers.view(np.uint64)
    for i in range(numbers.size):
        out[i] = _hash(numbers[i], bits[i])


@compiled()
def first_look(chunk: np.ndarray, bound: np.uint64, kept: np.ndarray) -> tuple[float, float, bool, int]:
    """(min, max, every value whole, k) of a non-empty chunk of finite values; its values whose hash is below
    ``bound`` go to ``kept[:k]``, in order.

    Examples
    --------
    >>> x = np.array([2.0, -0.0, 7.5])
    >>> kept = np.empty(3)
    >>> low, high, whole, k = first_look(x, np.uint64(2**64 - 1), kept)  # (every hash but the largest is below)
    >>> low, high, whole, kept[:k].tolist()
    (-0.0, 7.5, False, [2.0, -0.0, 7.5])
    """
    bits = chunk.view(np.uint64)
    low, high, whole, k = chunk[0], chunk[0], True, 0
    for i in range(chunk.size):
        value = chunk[i]
        if value < low:
            low = value
        if value > high:
            high = value
        if whole and value != math.floor(value):
            whole = False
        if _hash(value, bits[i]) < bound:
            kept[k] = value
            k += 1
    return low, high, whole, k


@compiled()
def _cell(value: float, edges: np.ndarray, origin: float, scale: float, first: int, stop: int, slack: float) -> int:
    """``clip(searchsorted(edges, value, 'right') - 1, 0, edges.size - 2)``: from the equal-width run when it holds."""
    at = (value - origin) * scale
    if at >= 0.0 and at < stop - first:
        whole = int(at)
        fraction = at - whole
        if slack < fraction < 1.0 - slack:  # further from an edge than the edges' own rounding: the run's cell
            return whole + first
    low, high = 0, edges.size
    while low < high:
        middle = (low + high) >> 1
        if edges[middle] <= value:
            low = middle + 1
        else:
            high = middle
    return min(max(low - 1, 0), edges.size - 2)


@compiled(inline="always")
def _two_sum(total: float, value: float) -> tuple[float, float]:
    """Knuth's two-sum: ``total + value`` rounded, and the rounding error (exactly: the two add up to the exact sum)."""
    rounded = total + value
    part = rounded - total
    return rounded, (total - (rounded - part)) + (value - part)


@compiled()
def sums_added(sums: np.ndarray, errors: np.ndarray, other_sums: np.ndarray, other_errors: np.ndarray) -> None:
    """Two compensated sums added in place: ``sums`` by Knuth's two-sum with ``other_sums``, ``errors`` carrying
    both sides' errors and the new rounding error (``sums + errors`` stays the exact total to ~ε² of it).

    Examples
    --------
    >>> sums, errors = np.array([1.0]), np.array([0.0])
    >>> sums_added(sums, errors, np.array([1e-16]), np.array([0.0]))
    >>> sums.tolist(), errors.tolist()
    ([1.0], [1e-16])
    """
    for i in range(sums.size):
        total, error = _two_sum(sums[i], other_sums[i])
        sums[i] = total
        errors[i] = errors[i] + other_errors[i] + error


@compiled()
def cell_indices(
    numbers: np.ndarray, edges: np.ndarray, origin: float, scale: float, first: int, stop: int, slack: float, out: np.ndarray,
) -> None:
    """``out[i]`` = the cell of ``numbers[i]`` (:func:`cells_and_moments` describes the run's arguments).

    Examples
    --------
    >>> out = np.empty(4, dtype=np.intp)
    >>> cell_indices(np.array([0.5, 1.0, 2.5, 9.0]), np.array([0.0, 1.0, 2.0, 3.0, 10.0]), 0.0, 1.0, 0, 3, 1e-9, out)
    >>> out.tolist()
    [0, 1, 2, 3]
    """
    for i in range(numbers.size):
        out[i] = _cell(numbers[i], edges, origin, scale, first, stop, slack)


@compiled()
def _cells_and_total(
    chunk: np.ndarray, edges: np.ndarray, origin: float, scale: float, first: int, stop: int, slack: float,
    cells: np.ndarray, marked: np.ndarray, kept: np.ndarray,
) -> tuple[float, float, float, int]:
    """:func:`cells_and_moments`' first pass: the cells, the marked cells' values in ``kept[:k]``; (sum, min, max, k)."""
    low, high, total, k, watch = chunk[0], chunk[0], 0.0, 0, marked.size > 0
    for start in range(0, chunk.size, _SUM_BLOCK):
        block = 0.0
        for i in range(start, min(start + _SUM_BLOCK, chunk.size)):
            value = chunk[i]
            cell = _cell(value, edges, origin, scale, first, stop, slack)
            cells[cell, 0] += 1.0
            cell_sum, error = _two_sum(cells[cell, 1], value)
            cells[cell, 1] = cell_sum
            cells[cell, 2] += error
            if watch and marked[cell]:
                kept[k] = value
                k += 1
            low = min(low, value)
            high = max(high, value)
            block += value
        total += block
    return total, low, high, k


@compiled()
def _deviation_sums(chunk: np.ndarray, mean: float, logs: np.ndarray, shift: float) -> tuple[float, float, float]:
    """Σ(x − mean)², and Σd, Σd² of d = ``logs`` − ``shift`` (0, 0 when ``logs`` is empty), summed in blocks."""
    m2 = log_sum = log_squares = 0.0
    with_logs = logs.size > 0
    for start in range(0, chunk.size, _SUM_BLOCK):
        block_squares = block_logs = block_log_squares = 0.0
        for i in range(start, min(start + _SUM_BLOCK, chunk.size)):
            deviation = chunk[i] - mean
            block_squares += deviation * deviation
            if with_logs:
                log_deviation = logs[i] - shift
                block_logs += log_deviation
                block_log_squares += log_deviation * log_deviation
        m2 += block_squares
        log_sum += block_logs
        log_squares += block_log_squares
    return m2, log_sum, log_squares


def cells_and_moments(
    chunk: np.ndarray, edges: np.ndarray, origin: float, scale: float, first: int, stop: int, slack: float,
    cells: np.ndarray, marked: np.ndarray, scratch: np.ndarray,
) -> tuple[float, float, float, float, float, float, float, np.ndarray]:
    """Each value counted in its cell's ``cells[c, 0]`` and summed in ``cells[c, 1]``, with the sum's rounding
    errors in ``cells[c, 2]`` (Knuth's two-sum: ``cells[c, 1] + cells[c, 2]`` is the exact sum to ~ε² of it,
    whatever the order of the values); the chunk's (n, mean, m2, log mean, log m2, min, max, the values in
    ``marked`` cells in order). ``scratch`` is a float buffer at least as long as ``chunk``.

    ``origin``, ``scale``, ``first``, ``stop`` and ``slack`` describe the edges' equal-width run
    (``kl_core.sketch._Grid``): cell ``first + floor((x - origin)·scale)`` for a position more than
    ``slack`` from a whole number; a value outside the run or that close to an edge is found by
    bisection. A cell's count, sum and error sit side by side: one cache line per value. ``marked``
    is one flag per cell, or empty when no values are wanted.

    The mean is the first pass's (summed in blocks), m2 the squared deviations from it; the
    log moments (NaN unless every value is positive) come from the same second pass, as sums
    of d = log x − log(mean) and d² (``log mean = log(mean) + Σd/n``, ``log m2 = Σd² − (Σd)²/n``:
    the shift is within a few standard deviations of log x's mean, so nothing cancels). The logs
    are numpy's, a block at a time into ``scratch``: where the CPU has AVX-512 numpy takes them
    four times as fast as a compiled loop calling the C library's ``log`` one value at a time.

    Examples
    --------
    >>> x = np.array([0.5, 1.5, 2.5, 9.0])
    >>> edges = np.array([0.0, 1.0, 2.0, 3.0, 10.0])
    >>> cells, marked = np.zeros((4, 3)), np.array([False, True, False, True])
    >>> n, mean, m2, log_mean, log_m2, low, high, kept = cells_and_moments(x, edges, 0.0, 1.0, 0, 3, 1e-9, cells, marked, np.empty(4))
    >>> cells[:, 0].tolist(), cells[:, 1].tolist(), kept.tolist(), n, mean, m2, low, high
    ([1.0, 1.0, 1.0, 1.0], [0.5, 1.5, 2.5, 9.0], [1.5, 9.0], 4.0, 3.375, 44.1875, 0.5, 9.0)
    >>> bool(np.isclose(log_mean, np.log(x).mean(), rtol=1e-15)), bool(np.isclose(log_m2, np.log(x).var() * 4, rtol=1e-14))
    (True, True)
    """
    total, low, high, k = _cells_and_total(chunk, edges, origin, scale, first, stop, slack, cells, marked, scratch)
    kept = scratch[:k].copy()
    n = float(chunk.size)
    mean = total / n
    if not low > 0.0:
        m2 = _deviation_sums(chunk, mean, _NO_LOGS, 0.0)[0]
        return n, mean, m2, math.nan, math.nan, low, high, kept
    shift = math.log(mean)
    m2 = log_sum = log_squares = 0.0
    for start in range(0, chunk.size, _LOG_BLOCK):  # logs a block at a time: the block stays in cache for the sums
        part = chunk[start:start + _LOG_BLOCK]
        sums = _deviation_sums(part, mean, np.log(part, out=scratch[:part.size]), shift)
        m2, log_sum, log_squares = m2 + sums[0], log_sum + sums[1], log_squares + sums[2]
    return n, mean, m2, shift + log_sum / n, max(log_squares - log_sum * log_sum / n, 0.0), low, high, kept


_LOG_BLOCK = 1 << 15  # values whose logs are taken at once (256 KB of them: in a core's L2 cache)


_NO_LOGS = np.empty(0)
