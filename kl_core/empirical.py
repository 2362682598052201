"""Empirical distributions: raw values reduced once to a support and its weights.

An :class:`Empirical` is the only thing downstream code sees of the data. It is one of
three kinds:

* ``discrete``: numeric values, each a point of the support (teeth 0..10, temperature
  levels 100, 105, ...);
* ``categorical``: labels ("H", "T"), sorted as strings;
* ``binned``: continuous data as histogram bins (``edges`` has one more entry than
  ``support``, which holds the bin centres). A model's mass on a bin is
  CDF(right) - CDF(left).

The reduction is a single vectorised pass (``np.bincount`` for integers on a modest
range, ``np.unique`` otherwise, ``np.histogram`` for bins), so every later fit and
measure costs O(K) in the support size, never O(N) in the number of rows.
"""

from __future__ import annotations

import hashlib
import math
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Mapping, Sequence

import numpy as np

from kl_core.errors import DataError
from kl_core import sketch as sketch_module
from kl_core.sketch import FirstPass, ValueSketch, first_pass

if TYPE_CHECKING:  # pandas is imported where a frame or Series is built: reading numbers needs none
    import pandas as pd

__all__ = [
    "KINDS", "MAX_BINS", "MAX_DISCRETE_VALUES", "MAX_EXACT_INTEGER", "MAX_SUPPORT", "SHAPES", "TEMPORAL_WARNING",
    "Empirical", "Kind", "Shape", "auto_bin_count", "binned_from_table", "choose_weight_column", "to_empirical",
]

Kind = Literal["discrete", "categorical", "binned"]
KINDS: tuple[str, ...] = ("discrete", "categorical", "binned")
Shape = Literal["observations", "counts", "probabilities"]
SHAPES: tuple[str, ...] = ("observations", "counts", "probabilities")

MAX_DISCRETE_VALUES = 1_000  # more distinct numbers than this are binned unless forced
MAX_SUPPORT = 100_000  # more distinct values or categories than this are refused
MAX_BINS = 500
_BINCOUNT_RANGE = 10_000_000  # integer range for which np.bincount beats sorting
_SMALL_BINCOUNT = 1_000_000  # below this maximum, counting from 0 costs less than finding the minimum
MAX_EXACT_INTEGER = 2**53  # beyond this, float64 cannot represent every whole number


@dataclass(frozen=True, eq=False)
class Empirical:
    """An empirical distribution: sorted support, non-negative weights, and provenance.

    Parameters
    ----------
    support : ndarray
        Sorted distinct values (float64), labels (object array of str) or bin centres.
    counts : ndarray
        Weight of each support point: counts, or probabilities when ``n`` is None.
    kind : {"discrete", "categorical", "binned"}
    edges : ndarray or None
        Bin edges (``len(support) + 1`` of them) for binned data, else None.
    n : float or None
        Number of observations; None when the input was a probability table.
    name : str
        What the data is called (a column name, a sample's title).
    dropped : Mapping[str, int]
        Rows left out, by reason ("missing", "infinite").
    warnings : tuple of str
        Things done to the input that a user should know about.
    sketch : ValueSketch or None
        For continuous (``binned``) data: the exact values with their counts, or a fine
        sketch beyond 2,000,000 distinct values (:mod:`kl_core.sketch`). The fits and the
        ranking's KL use it; the bins are for display. None for discrete and categorical
        data, and for binned data known only as bins (then fits are interval-censored).

    Examples
    --------
    >>> emp = Empirical.from_counts([0, 1, 2], [1, 2, 1])
    >>> emp.kind, emp.n, emp.probs.tolist()
    ('discrete', 4.0, [0.25, 0.5, 0.25])
    """

    support: np.ndarray
    counts: np.ndarray
    kind: Kind
    edges: np.ndarray | None = None
    n: float | None = None
    name: str = ""
    dropped: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    sketch: ValueSketch | None = None

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_samples(
        cls,
        values: Any,
        kind: Kind | None = None,
        bins: int | str | Sequence[float] | None = None,
        name: str = "",
    ) -> "Empirical":
        """Reduce raw observations (one value per row) to an empirical distribution.

        Numbers that are all whole and have at most 1,000 distinct values become
        ``discrete``; other numbers become ``binned`` (Freedman–Diaconis bins unless
        ``bins`` says otherwise); text becomes ``categorical``. NaN, ±inf and empty
        cells are dropped and counted in ``dropped``.

        Examples
        --------
        >>> emp = Empirical.from_samples(["H", "T", "H", None])
        >>> emp.kind, emp.support.tolist(), emp.counts.tolist(), dict(emp.dropped)
        ('categorical', ['H', 'T'], [2.0, 1.0], {'missing': 1})
        """
        _check_kind(kind)
        fast = _counted_integers(values, name) if kind in (None, "discrete") else None
        if fast is not None:
            return fast
        floats = _plain_floats(values) if kind in (None, "binned") else None
        if floats is not None:  # a float array: no copy unless some values are NaN or ±inf
            numeric, dropped = floats
            if numeric.size == 0:
                raise DataError(_nothing_left_message(dropped, name))
            return _numeric_empirical(numeric, kind, bins, dropped, name)
        values = _as_series(values)
        temporal = _is_temporal(values)
        numeric, labels, dropped = _split_values(values, force_labels=kind == "categorical" or temporal)
        if labels is not None:
            if kind in ("discrete", "binned"):
                raise DataError(_not_numbers_for_kind_message(labels, kind, name, temporal))
            emp = _categorical_from_labels(labels, dropped, name)
            return replace(emp, warnings=(TEMPORAL_WARNING,)) if temporal and kind is None else emp
        if numeric.size == 0:
            raise DataError(_nothing_left_message(dropped, name))
        return _numeric_empirical(numeric, kind, bins, dropped, name)

    @classmethod
    def from_counts(
        cls,
        values: Any,
        counts: Any,
        kind: Kind | None = None,
        name: str = "",
    ) -> "Empirical":
        """Build from a frequency table: each value with how often it was seen.

        Repeated values are added together (and a warning says so). Counts that are
        not whole numbers are accepted as weights, with a warning.

        Examples
        --------
        >>> Empirical.from_counts([1, 0, 1], [2, 3, 4]).counts.tolist()
        [3.0, 6.0]
        """
        emp = _from_table(values, counts, kind, name, weight_label="count")
        warnings = list(emp.warnings)
        if not np.all(np.isclose(emp.counts, np.round(emp.counts), rtol=1e-9, atol=0.0)):  # 1e-300 is not 0
            warnings.append(
                "Some counts are not whole numbers; they are used as weights, and "
                "N-dependent statistics (log-likelihood, AIC, G-test) take N as their sum."
            )
        return replace(emp, n=float(emp.counts.sum()), warnings=tuple(warnings))

    @classmethod
    def from_probabilities(
        cls,
        values: Any,
        probs: Any,
        kind: Kind | None = None,
        name: str = "",
    ) -> "Empirical":
        """Build from a probability table. N is unknown, so ``n`` is None.

        Probabilities that do not sum to 1 are normalised, and a warning records it.

        Examples
        --------
        >>> temps = [100, 105, 110, 145, 160, 162, 174, 180]
        >>> emp = Empirical.from_probabilities(temps, [0.30, 0.40, 0.05, 0.06, 0.07, 0.02, 0.05, 0.05])
        >>> emp.n is None, round(emp.entropy(), 4)
        (True, 2.3231)
        """
        emp = _from_table(values, probs, kind, name, weight_label="probability")
        total = float(emp.counts.sum())
        warnings = list(emp.warnings)
        if abs(total - 1) > 1e-6:
            warnings.append(f"The probabilities summed to {total:.6g}; they were divided by that sum.")
        return replace(emp, counts=emp.counts / total, n=None, warnings=tuple(warnings))

    # ------------------------------------------------------------------- properties
    @property
    def probs(self) -> np.ndarray:
        """Probability of each support point (weights divided by their sum)."""
        return self.counts / self.counts.sum()

    @property
    def k(self) -> int:
        """Number of support points (or bins)."""
        return int(self.support.size)

    @property
    def total(self) -> float:
        """Sum of the weights: N for counts, 1 for probabilities."""
        return float(self.counts.sum())

    @property
    def is_numeric(self) -> bool:
        """True unless the data is categorical."""
        return self.kind != "categorical"

    @property
    def is_integer(self) -> bool:
        """True for discrete data whose support is all whole numbers within ±2**53.

        Beyond 2**53 float64 cannot represent every whole number, so such values are
        not treated as counts (``kl_core.models.base.require_integer_support`` says so).
        """
        if self.kind != "discrete" or self.support.size == 0:
            return False
        return bool(np.all(self.support == np.round(self.support)) and np.max(np.abs(self.support)) <= MAX_EXACT_INTEGER)

    @property
    def low(self) -> float:
        """Smallest observed value (the left edge for binned data)."""
        self._require_numeric("low")
        return float(self.edges[0] if self.kind == "binned" else self.support[0])

    @property
    def high(self) -> float:
        """Largest observed value (the right edge for binned data)."""
        self._require_numeric("high")
        return float(self.edges[-1] if self.kind == "binned" else self.support[-1])

    def mean(self) -> float:
        """Weighted mean of the support (bin centres for binned data)."""
        self._require_numeric("mean")
        return float(np.dot(self.probs, self.support))

    def var(self) -> float:
        """Weighted population variance of the support (bin centres for binned data)."""
        self._require_numeric("var")
        deviations = self.support - self.mean()
        scale = float(np.max(np.abs(deviations))) if deviations.size else 0.0
        if scale == 0 or not math.isfinite(scale):
            return 0.0 if scale == 0 else math.inf
        with np.errstate(over="ignore"):  # scaled, so only a variance beyond ~1.8e308 overflows (to inf)
            return float(np.float64(scale) ** 2 * np.dot(self.probs, (deviations / scale) ** 2))

    def entropy(self, base: float = 2) -> float:
        """Entropy of the empirical distribution over its support points or bins."""
        from kl_core.measures import entropy  # scipy.special: not needed to read data

        return entropy(self.probs, base)

    def summary(self, base: float = 2) -> dict[str, Any]:
        """The numbers a person wants at a glance, as a plain dict.

        Examples
        --------
        >>> Empirical.from_counts([0, 1], [1, 1]).summary()["entropy"]
        1.0
        """
        numeric = self.is_numeric
        return {
            "name": self.name,
            "kind": self.kind,
            "n": self.n,
            "support_size": self.k,
            "dropped": dict(self.dropped),
            "mean": self.mean() if numeric else None,
            "variance": self.var() if numeric else None,
            "min": self.low if numeric else None,
            "max": self.high if numeric else None,
            "entropy": self.entropy(base),
        }

    def fingerprint(self) -> str:
        """SHA-256 of the kind, support, weights and edges: equal data, equal digest.

        Each label is hashed as its length then its bytes, so no separator inside a label
        can make two different supports look alike.

        Examples
        --------
        >>> one = Empirical.from_counts(["a\x1fb", "c"], [1, 1])
        >>> two = Empirical.from_counts(["a", "b\x1fc"], [1, 1])
        >>> one.fingerprint() == two.fingerprint()
        False
        """
        digest = hashlib.sha256(self.kind.encode())
        if self.kind == "categorical":
            for label in map(str, self.support):
                encoded = label.encode("utf-8", "surrogatepass")
                digest.update(len(encoded).to_bytes(8, "little") + encoded)
        else:
            digest.update(self.support.tobytes())
        digest.update(self.counts.tobytes())
        if self.edges is not None:
            digest.update(self.edges.tobytes())
        digest.update(b"n" if self.n is None else np.float64(self.n).tobytes())
        if self.sketch is not None:  # the values behind the bins: what the fits use
            digest.update(self.sketch.digest_bytes())
        return digest.hexdigest()

    def with_counts(self, counts: np.ndarray) -> "Empirical":
        """The same support with new weights (used by the bootstrap)."""
        return replace(self, counts=np.asarray(counts, dtype=float), n=float(np.sum(counts)))

    def with_sketch_counts(self, counts: np.ndarray) -> "Empirical":
        """Continuous data with new weights on its sketch's values (a bootstrap resample); bins recounted.

        Examples
        --------
        >>> emp = Empirical.from_samples([0.5, 1.5, 2.5, 3.5], bins=2)
        >>> emp.with_sketch_counts(np.array([2.0, 0.0, 1.0, 1.0])).counts.tolist()
        [2.0, 2.0]
        """
        sketch = self.sketch.with_counts(counts)
        shown, _ = np.histogram(np.clip(sketch.values, self.edges[0], self.edges[-1]), bins=self.edges, weights=sketch.counts)
        return replace(self, counts=shown.astype(float), n=sketch.total, sketch=sketch)

    def _require_numeric(self, what: str) -> None:
        if not self.is_numeric:
            raise DataError(f"{what} is not defined for categorical data ({self.name or 'labels'})")


# ------------------------------------------------------------------- from a frame
def to_empirical(
    frame: pd.DataFrame,
    column: str,
    shape: Shape = "observations",
    weight_column: str | None = None,
    kind: Kind | None = None,
    bins: int | str | Sequence[float] | None = None,
    name: str | None = None,
    drop_text: bool = False,
) -> Empirical:
    """Turn one column of a table into an :class:`Empirical`.

    Parameters
    ----------
    frame : DataFrame
        As returned by :func:`kl_core.io.read_table`.
    column : str
        The column holding the values (observations, or the value column of a table).
    shape : {"observations", "counts", "probabilities"}
        One value per row; or a (value, count) table; or a (value, probability) table.
    weight_column : str, optional
        The count or probability column. When omitted for a table with exactly two
        columns, the other one is used.
    kind, bins : optional
        Force the kind, and the bins for binned data (a number, a numpy rule name such
        as ``"fd"`` or ``"sturges"``, or explicit edges).
    drop_text : bool
        Leave out the rows whose value (or weight) cell is text in a column of numbers,
        counted in ``dropped`` under a reason naming a few of them; by default such
        cells are a DataError naming them.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"teeth": [0, 1, 2], "worms": [2, 3, 5]})
    >>> to_empirical(frame, "teeth", shape="counts").n
    10.0
    """
    if shape not in SHAPES:
        raise DataError(f"shape must be one of {SHAPES}; got {shape!r}")
    values = _column(frame, column)
    label = name if name is not None else str(column)
    if frame.attrs.get("formula_cells"):  # issue 13: an Excel formula without a saved value is dropped with its own reason
        from kl_core.io.excel import drop_formula_rows

        checked = [column] if shape == "observations" else [column, choose_weight_column(list(frame.columns), column, weight_column, shape)]
        frame, reason, count = drop_formula_rows(frame, checked)
        emp = to_empirical(frame, column, shape, weight_column, kind, bins, name, drop_text)
        return replace(emp, dropped={**emp.dropped, reason: count}) if count else emp
    if drop_text:  # issue 11: text cells may be dropped, never silently
        from kl_core.io.shape import drop_text_rows

        checked = [column] if shape == "observations" else [column, choose_weight_column(list(frame.columns), column, weight_column, shape)]
        frame, reason, count = drop_text_rows(frame, checked)
        emp = to_empirical(frame, column, shape, weight_column, kind, bins, name)
        return replace(emp, dropped={**emp.dropped, reason: count}) if count else emp
    if shape == "observations":
        return Empirical.from_samples(_observation_values(values, column, kind), kind=kind, bins=bins, name=label)
    weights = _weights(frame, column, weight_column, shape)
    if shape == "counts":
        return Empirical.from_counts(values, weights, kind=kind, name=label)
    return Empirical.from_probabilities(values, weights, kind=kind, name=label)


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        available = ", ".join(repr(str(c)) for c in list(frame.columns)[:20])
        raise DataError(f"There is no column {column!r}. The columns are: {available}.")
    return frame[column]


def _observation_values(values: pd.Series, column: str, kind: Kind | None) -> Any:
    """Numeric columns as floats; text columns as numbers if they are numbers, else labels."""
    import pandas as pd

    if kind == "categorical" or pd.api.types.is_numeric_dtype(values):
        return values
    from kl_core.io import numeric_column  # io imports pandas machinery we only need here

    non_empty = values.dropna().astype(str).str.strip()
    non_empty = non_empty[non_empty != ""]
    if non_empty.empty:
        return values
    looks_numeric = pd.to_numeric(non_empty.str.replace(",", ".", regex=False), errors="coerce").notna()
    if looks_numeric.mean() < 0.5:
        return values  # mostly text: categories
    return numeric_column(values.to_frame(name=column), column)


def _weights(frame: pd.DataFrame, column: str, weight_column: str | None, shape: str) -> np.ndarray:
    from kl_core.io import numeric_column

    weight_column = choose_weight_column(list(frame.columns), column, weight_column, shape)
    _column(frame, weight_column)
    return numeric_column(frame, weight_column)


def choose_weight_column(columns: Sequence[str], column: str, weight_column: str | None, shape: str) -> str:
    """The count or probability column of a table: the one named, or the only other column.

    Examples
    --------
    >>> choose_weight_column(["teeth", "worms"], "teeth", None, "counts")
    'worms'
    """
    if weight_column is not None:
        return weight_column
    others = [c for c in columns if c != column]
    if len(others) != 1:
        raise DataError(
            f"A {shape} table needs a {'count' if shape == 'counts' else 'probability'} column; "
            f"choose which of the {len(others)} other columns holds it."
        )
    return others[0]


# ------------------------------------------------------------------ reductions
def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise DataError(f"kind must be one of {KINDS} or None to guess; got {kind!r}")


def _as_series(values: Any, what: str = "The values") -> pd.Series:
    """One-dimensional input as a Series; DataError for scalars, text, mappings, tables and nested cells."""
    import pandas as pd

    if isinstance(values, pd.Series):
        series = values
    else:
        if isinstance(values, (str, bytes, Mapping, set, frozenset, pd.DataFrame)) or not hasattr(values, "__iter__"):
            raise DataError(f"{what} must be a list (or column) of observations; got {type(values).__name__}")
        if not isinstance(values, (np.ndarray, list, tuple, range, pd.Index)):
            values = list(values)  # other iterables, e.g. a generator
        try:
            array = np.asarray(values)
        except ValueError:  # ragged nesting such as [[1], [2, 3]]
            array = np.empty(len(values), dtype=object)
            array[:] = list(values)
        if array.ndim != 1:
            raise DataError(f"{what} must be one-dimensional (one value per observation); got shape {array.shape}")
        series = pd.Series(array.astype(object) if array.dtype.kind in "OUS" else array)
    if series.dtype == object:
        nested = series.map(lambda cell: isinstance(cell, (list, tuple, dict, set, np.ndarray))).to_numpy(dtype=bool)
        if nested.any():
            first = series.iloc[int(np.flatnonzero(nested)[0])]
            raise DataError(f"{what} must be single numbers or labels; one is a {type(first).__name__}: {str(first)[:40]}")
    return series


def _split_values(values: Any, force_labels: bool) -> tuple[np.ndarray, np.ndarray | None, dict[str, int]]:
    """Return (finite numbers, None, dropped) or (empty, labels, dropped)."""
    import pandas as pd

    series = _as_series(values)
    if force_labels or not pd.api.types.is_numeric_dtype(series):
        if not force_labels:
            converted = pd.to_numeric(series, errors="coerce")
            blank = series.isna() | (series.astype(str).str.strip() == "")
            if bool(converted.notna().eq(~blank).all()):
                return _finite_numbers(converted.to_numpy(dtype=float, na_value=np.nan))
        return np.empty(0), *_labels(series)
    return _finite_numbers(series.to_numpy(dtype=float, na_value=np.nan))


def _finite_numbers(numbers: np.ndarray) -> tuple[np.ndarray, None, dict[str, int]]:
    missing = np.isnan(numbers)
    infinite = np.isinf(numbers)
    dropped = {reason: int(mask.sum()) for reason, mask in (("missing", missing), ("infinite", infinite)) if mask.any()}
    if dropped:
        numbers = numbers[~(missing | infinite)]
    return numbers, None, dropped


def _labels(series: pd.Series) -> tuple[np.ndarray, dict[str, int]]:
    text = series.astype("string").str.strip()
    missing = text.isna() | (text == "")
    dropped = {"missing": int(missing.sum())} if missing.any() else {}
    return text[~missing].to_numpy(dtype=object), dropped


TEMPORAL_WARNING = (
    "The values are dates or times; each distinct one is treated as a category. To model them as numbers, "
    "convert them first (e.g. to days since a start date, or to the hour of the day)."
)


def _is_temporal(values: Any) -> bool:
    """True for dates, times and durations (datetime64 / timedelta64 / period dtypes, or such objects)."""
    import datetime

    import pandas as pd

    dtype = getattr(values, "dtype", None)
    if dtype is not None and (
        pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype)
    ):
        return True
    if dtype is not None and dtype != object:
        return False
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    present = series.dropna()
    if present.empty:
        return False
    first = present.iloc[0]
    return isinstance(first, (datetime.date, datetime.time, datetime.timedelta, np.datetime64, np.timedelta64)) and bool(
        present.map(lambda cell: isinstance(cell, (datetime.date, datetime.time, datetime.timedelta, np.datetime64, np.timedelta64))).all()
    )


def _not_numbers_for_kind_message(labels: np.ndarray, kind: str, name: str, temporal: bool) -> str:
    what = f"'{name}'" if name else "The data"
    example = str(labels[0]) if labels.size else ""
    holds = "dates or times" if temporal else "text"
    shown = f" such as {example[:40]!r}" if example else ""
    return (
        f"{what} holds {holds}{shown}, not numbers, so it cannot be read as {kind} data. "
        "Choose kind categorical (or auto), or choose a column of numbers."
    )


def _precision_warnings(numbers: np.ndarray, low: float | None = None, high: float | None = None) -> tuple[str, ...]:
    """A warning when some values are too large for float64 to hold every whole number exactly (``low``/``high``:
    the extremes, when known)."""
    if not numbers.size:
        return ()
    if low is None or high is None:
        low, high = float(numbers.min()), float(numbers.max())
    if max(abs(low), abs(high)) <= MAX_EXACT_INTEGER:
        return ()
    huge = int(np.count_nonzero(np.abs(numbers) > MAX_EXACT_INTEGER))
    if not huge:
        return ()
    return (
        f"{huge:,} value(s) exceed ±2**53 (about 9.007e15) in magnitude. Floating point keeps about 16 "
        "significant digits, so whole numbers this large may have been rounded (99999999999999999999 and "
        "99999999999999999998 both read as 1e+20) and are not treated as counts.",
    )


def _numeric_empirical(
    numeric: np.ndarray, kind: Kind | None, bins: int | str | Sequence[float] | None, dropped: dict[str, int], name: str
) -> Empirical:
    first = None
    if numeric.size > sketch_module.MAX_EXACT_VALUES and kind in (None, "binned"):
        # the sketch's first pass also says whether every value is whole: the guess needs no pass of its own
        first = _first_pass_and_iqr(numeric, _wants_iqr(bins))
    chosen = kind or _guess_numeric_kind(numeric, None if first is None else first[0])
    if chosen == "binned":
        emp = _binned_from_numbers(numeric, bins, dropped, name, first)
    else:
        emp = _discrete_from_numbers(numeric, dropped, name)
    return replace(emp, warnings=emp.warnings + _precision_warnings(numeric, emp.low, emp.high))


_CHUNK = 1 << 20  # values per step where a whole-array temporary would double the memory


def _is_series(values: Any) -> bool:
    """Whether ``values`` is a pandas Series; pandas is loaded only if the caller made one."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(values, pandas.Series)


def _plain_floats(values: Any) -> tuple[np.ndarray, dict[str, int]] | None:
    """A 1-D float numpy array (or plain float Series) as is, without NaN/±inf; None for anything else."""
    array = values.to_numpy() if _is_series(values) and values.dtype.kind == "f" else values
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f" or array.ndim != 1:
        return None
    array = array.astype(float, copy=False)
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.sum(array))
    if math.isfinite(total):  # (a NaN or ±inf makes the sum so; a sum of finite values that overflows is checked below)
        return array, {}
    numbers, _, dropped = _finite_numbers(array)
    return numbers, dropped


def _all_whole(numbers: np.ndarray) -> bool:
    """Whether every value is a whole number, chunk by chunk (stops at the first fraction)."""
    for start in range(0, numbers.size, _CHUNK):
        part = numbers[start:start + _CHUNK]
        if not np.all(part == np.round(part)):
            return False
    return True


def _guess_numeric_kind(numbers: np.ndarray, first: FirstPass | None = None) -> Kind:
    """Discrete for whole numbers with at most MAX_DISCRETE_VALUES distinct values, else binned (``first``: the
    values' first pass, which already knows whether they are whole and their range)."""
    whole = _all_whole(numbers) if first is None else first.whole
    if not whole:
        return "binned"  # fractions
    low, high = (float(numbers.min()), float(numbers.max())) if first is None else (first.low, first.high)
    if max(abs(low), abs(high)) > MAX_EXACT_INTEGER:
        return "binned"  # numbers too large for every whole number to be exact
    if high - low < MAX_DISCRETE_VALUES:
        return "discrete"
    return "discrete" if np.unique(numbers).size <= MAX_DISCRETE_VALUES else "binned"


def _discrete_from_numbers(numbers: np.ndarray, dropped: dict[str, int], name: str) -> Empirical:
    support, counts = _count_numbers(numbers)
    if support.size > MAX_SUPPORT:
        raise DataError(
            f"{name or 'The data'} has {support.size:,} distinct values; the limit for discrete data is "
            f"{MAX_SUPPORT:,}. Treat it as continuous (binned) instead."
        )
    return Empirical(support, counts, "discrete", n=float(numbers.size), name=name, dropped=dropped)


def _counted_integers(values: Any, name: str) -> Empirical | None:
    """The fast path for a plain integer array or Series: one bincount, no float copy.

    Returns None (use the general path) unless the values are a numpy or non-nullable
    pandas integer column with at most MAX_DISCRETE_VALUES distinct values on a range
    np.bincount handles. 10,000,000 ints reduce in about the time np.unique takes to sort
    a tenth of them.
    """
    array = values.to_numpy() if _is_series(values) else values
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "iu" or array.ndim != 1 or array.size == 0:
        return None
    low, high = 0, int(array.max())
    counts = _chunked_bincount(array, 0, high + 1) if high < _SMALL_BINCOUNT else None
    if counts is None:  # negative values or a wide range: shift by the minimum
        low = int(array.min())
        if high - low >= _BINCOUNT_RANGE or max(abs(low), abs(high)) > MAX_EXACT_INTEGER:
            return None
        counts = _chunked_bincount(array, low, high - low + 1)
    present = np.flatnonzero(counts)
    if present.size > MAX_DISCRETE_VALUES:
        return None  # many distinct whole numbers: the general path bins them
    support = present.astype(float) + low
    return Empirical(support, counts[present].astype(float), "discrete", n=float(array.size), name=name)


def _chunked_bincount(array: np.ndarray, low: int, size: int) -> np.ndarray | None:
    """Counts of ``low .. low + size - 1`` in an integer array; None when a value is below ``low``.

    A chunk at a time, in two threads, each chunk copied (and shifted) into the worker's
    scratch first: np.bincount copies any array it cannot write to (a column that pandas
    shares with Arrow is read-only), so it would copy the whole column at once.

    Examples
    --------
    >>> _chunked_bincount(np.array([-128, 127, 5, 5], dtype=np.int8), -128, 256)[[0, 133, 255]].tolist()
    [1, 2, 1]
    >>> _chunked_bincount(np.array([3, -1]), 0, 4) is None
    True
    """

    def count(part: np.ndarray, scratch: Any) -> np.ndarray | None:
        shifted = scratch.floats.view(np.int64)[:part.size]
        np.copyto(shifted, part, casting="unsafe")  # int64 before the shift: no int8 overflow
        if low:
            shifted -= low
        try:
            return np.bincount(shifted, minlength=size)
        except ValueError:  # np.bincount refuses negative values
            return None

    counts = np.zeros(size, dtype=np.int64)
    for part in sketch_module._in_order(count, array):
        if part is None:
            return None
        counts += part
    return counts


def _count_numbers(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and their counts; O(N) bincount for whole numbers on a modest range."""
    low, high = numbers.min(), numbers.max()
    with np.errstate(over="ignore"):  # a span beyond the float range is just "not modest"
        whole = high - low < _BINCOUNT_RANGE and np.all(numbers == np.floor(numbers))
    if whole:
        counts = np.bincount((numbers - low).astype(np.int64))
        present = np.flatnonzero(counts)
        return present.astype(float) + low, counts[present].astype(float)
    support, counts = np.unique(numbers, return_counts=True)
    return support.astype(float), counts.astype(float)


def _categorical_from_labels(labels: np.ndarray, dropped: dict[str, int], name: str) -> Empirical:
    if labels.size == 0:
        raise DataError(_nothing_left_message(dropped, name))
    support, counts = np.unique(labels.astype(str), return_counts=True)
    if support.size > MAX_SUPPORT:
        raise DataError(
            f"{name or 'The data'} has {support.size:,} distinct labels; the limit is {MAX_SUPPORT:,}. "
            "A column where nearly every row differs (an ID, a timestamp) is not a distribution: pick another column."
        )
    return Empirical(support.astype(object), counts.astype(float), "categorical", n=float(labels.size), name=name, dropped=dropped)


def _binned_from_numbers(
    numbers: np.ndarray, bins: int | str | Sequence[float] | None, dropped: dict[str, int], name: str,
    first_and_iqr: tuple[FirstPass, float | None] | None = None,
) -> Empirical:
    """Finite raw values as bins for display and the sketch the fits use (``first_and_iqr``: the first pass's,
    when the caller already has it).

    The display counts are ``np.histogram``'s, taken from the sketch (:class:`_DisplayCounts`)
    rather than from another pass over every value.
    """
    if numbers.size <= sketch_module.MAX_EXACT_VALUES:  # read at call time: tests lower it
        low, high = float(numbers.min()), float(numbers.max())
        edges, warnings = _bin_edges(numbers, bins, low, high)
        display = _DisplayCounts(edges)
        sketch = ValueSketch.from_values(numbers)
    else:
        first, iqr = first_and_iqr or _first_pass_and_iqr(numbers, _wants_iqr(bins))
        low, high = (float(numbers.min()) if first.low == 0 else first.low), (float(numbers.max()) if first.high == 0 else first.high)
        edges, warnings = _bin_edges(numbers, bins, low, high, iqr)  # (the sign of a zero extreme as numpy's min/max give it)
        display = _DisplayCounts(edges)
        sketch = ValueSketch.from_values(numbers, first=first, visit=display)
    edges = edges.astype(float)
    centres = edges[:-1] + np.diff(edges) / 2  # not (a + b) / 2, which overflows near ±1.8e308
    return Empirical(
        centres, display.counts(sketch), "binned", edges=edges, n=float(numbers.size),
        name=name, dropped=dropped, warnings=tuple(warnings) + sketch.warnings, sketch=sketch,
    )


class _DisplayCounts:
    """``np.histogram(values, bins=edges)[0]`` (as floats) from the values' sketch, without a pass over every value.

    An exact sketch is a (value, count) table: it is binned with its counts as weights. In
    a fine sketch a cell that no display edge comes near (not in it, nor in either
    neighbouring cell) lies inside one display bin and counts there whole; the values of the
    few cells near a display edge are collected while the sketch is built (:meth:`marked` and
    :meth:`keep`: a ``ValueSketch.from_values`` visitor) and binned one by one by numpy.

    Examples
    --------
    >>> x = np.random.default_rng(0).gamma(2.0, size=50_000)
    >>> edges = np.linspace(x.min(), x.max(), 31)
    >>> display = _DisplayCounts(edges)
    >>> sketch = ValueSketch.from_values(x, max_exact=1_000, visit=display)
    >>> bool(np.array_equal(display.counts(sketch), np.histogram(x, bins=edges)[0]))
    True
    """

    def __init__(self, edges: np.ndarray) -> None:
        self.edges = edges
        self.near_edges: np.ndarray | None = None  # per fine cell: whether a display edge is in it or a neighbour
        self.near_values: list[np.ndarray] = []

    def marked(self, fine_edges: np.ndarray) -> np.ndarray:
        """The fine cells a display edge is in or next to (:class:`kl_core.sketch.CellVisitor`)."""
        self.near_edges = self._cells_near_edges(fine_edges)
        return self.near_edges

    def keep(self, values: np.ndarray) -> None:
        """Keep one chunk's values of the marked cells."""
        self.near_values.append(values)

    def counts(self, sketch: ValueSketch) -> np.ndarray:
        """The display counts of the values ``sketch`` was built from (visited, when it is fine)."""
        if sketch.exact:
            return _histogram(sketch.values, self.edges, sketch.counts)[0].astype(float)
        if self.near_edges is None:
            raise ValueError("a fine sketch's display counts need its values visited while it was built")
        whole = (sketch.cell_counts > 0) & ~self.near_edges
        bins = np.searchsorted(self.edges, sketch.edges[:-1][whole], side="right") - 1
        counts = np.bincount(bins, weights=sketch.cell_counts[whole], minlength=self.edges.size - 1)
        if self.near_values:
            counts += _histogram(np.concatenate(self.near_values), self.edges)[0]
        return counts

    def _cells_near_edges(self, fine_edges: np.ndarray) -> np.ndarray:
        cells = fine_edges.size - 1
        holding = np.searchsorted(fine_edges, self.edges, side="right") - 1
        marked = np.concatenate([holding - 1, holding, holding + 1])
        near = np.zeros(cells, dtype=bool)
        near[marked[(marked >= 0) & (marked < cells)]] = True
        return near


def _histogram(numbers: np.ndarray, edges: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``np.histogram(numbers, bins=edges, weights=weights)``; equal-width edges as a count and a range, which
    numpy bins by arithmetic instead of sorting the values (the same counts, several times faster).

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=1_000)
    >>> edges = np.histogram_bin_edges(x, bins=7)
    >>> [bool(np.array_equal(a, b)) for a, b in zip(_histogram(x, edges), np.histogram(x, bins=edges))]
    [True, True]
    """
    if edges.size > 2 and np.array_equal(edges, np.linspace(edges[0], edges[-1], edges.size)):
        return np.histogram(numbers, bins=edges.size - 1, range=(edges[0], edges[-1]), weights=weights)
    return np.histogram(numbers, bins=edges, weights=weights)


def binned_from_table(
    values: np.ndarray, weights: np.ndarray, name: str = "", dropped: Mapping[str, int] | None = None,
) -> Empirical:
    """Continuous data from a (value, weight) table: an exact sketch, display bins by :func:`auto_bin_count`.

    Repeated values are added together and zero weights left out; ``kl_core.sketched``
    uses it for an exact sketch read by an engine.

    Examples
    --------
    >>> emp = binned_from_table(np.array([0.5, 1.5, 2.5, 1.5]), np.array([1.0, 2.0, 1.0, 2.0]))
    >>> emp.kind, emp.n, emp.sketch.values.tolist(), emp.sketch.counts.tolist()
    ('binned', 6.0, [0.5, 1.5, 2.5], [1.0, 4.0, 1.0])
    """
    dropped = dict(dropped or {})
    support, inverse = np.unique(values, return_inverse=True)
    summed = np.bincount(inverse, weights=weights, minlength=support.size)
    used = summed > 0
    support, summed = support[used], summed[used]
    if support.size < 2:
        raise DataError(f"{name or 'The table'} has one value with a positive weight; continuous bins need at least two.")
    count = auto_bin_count(support, summed)
    edges = _histogram_edges(float(support[0]), float(support[-1]), count)
    counts, _ = np.histogram(support, bins=edges, weights=summed)
    centres = edges[:-1] + np.diff(edges) / 2
    warnings = (f"The rule for display bins asked for more than {MAX_BINS} bins; {MAX_BINS} are used.",) if count == MAX_BINS else ()
    sketch = ValueSketch.from_table(support, summed)
    return Empirical(
        centres, counts.astype(float), "binned", edges=edges, n=float(summed.sum()), name=name, dropped=dropped,
        warnings=warnings + sketch.warnings, sketch=sketch,
    )


def auto_bin_count(values: np.ndarray, weights: np.ndarray) -> int:
    """numpy's "auto" bin count (the larger of Freedman–Diaconis and Sturges) for sorted weighted values, capped at MAX_BINS.

    Examples
    --------
    >>> x = np.arange(100.0)
    >>> auto_bin_count(x, np.ones(x.size)), np.histogram_bin_edges(x, bins="auto").size - 1
    (8, 8)
    """
    n = float(weights.sum()) if weights.sum() >= 2 else float(values.size)
    sturges = math.log2(n) + 1
    q25, q75 = np.quantile(values, [0.25, 0.75], weights=weights, method="inverted_cdf")
    width = 2 * (q75 - q25) * n ** (-1 / 3)
    span = float(values[-1] - values[0])
    fd = span / width if width > 0 else 0.0
    return int(min(max(math.ceil(sturges), math.ceil(fd), 1), MAX_BINS))


def _bin_edges(
    numbers: np.ndarray, bins: int | str | Sequence[float] | None, low: float, high: float, iqr: float | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Freedman–Diaconis by default (Sturges when the IQR is 0), capped at MAX_BINS; ``low``/``high`` are the extremes."""
    warnings: list[str] = []
    if low == high:
        rounded = (
            " (numbers beyond ±2**53 keep only about 16 significant digits, so different long whole numbers "
            "can read as the same value)" if abs(numbers[0]) > MAX_EXACT_INTEGER else ""
        )
        raise DataError(
            f"All {numbers.size:,} values equal {numbers[0]:g}{rounded}: continuous bins need at least two different "
            "values. Treat the data as discrete instead."
        )
    span = high - low
    if not math.isfinite(span):
        raise DataError(
            f"The values run from {low:g} to {high:g}: that range is too wide for floating "
            "point (it overflows), so no bins can cover it. Rescale the values (e.g. divide them by 1e300) "
            "or remove the extreme ones."
        )
    if bins is None:
        bins = "auto"  # numpy's: the larger of Freedman–Diaconis and Sturges (10 bins for 272 values, never 5)
    if isinstance(bins, str) and bins in ("fd", "auto"):
        requested = _freedman_diaconis_count(numbers, span, iqr)
        if bins == "auto":  # numpy's rule, computed here so that a large array is never copied for its quartiles
            requested = max(requested if math.isfinite(requested) else 0, math.ceil(math.log2(numbers.size) + 1))
        if requested > MAX_BINS:
            rule = "Freedman–Diaconis" if bins == "fd" else "display-bin"
            warnings.append(f"The {rule} rule asked for {requested:,.0f} bins; {MAX_BINS} are used.")
            return _histogram_edges(low, high, MAX_BINS), warnings
        if bins == "auto":
            return _histogram_edges(low, high, int(requested)), warnings
    if isinstance(bins, str):
        try:
            edges = np.histogram_bin_edges(numbers, bins=bins)
        except ValueError as error:
            raise DataError(f"bins={bins!r} is not a binning rule numpy knows ({error}); try 'fd', 'sturges' or a number") from error
    elif np.ndim(bins) == 0:
        try:
            count = float(bins)
        except (TypeError, ValueError):
            raise DataError(f"bins must be a number of bins, a rule name or a list of edges; got {bins!r}") from None
        if not math.isfinite(count) or count != round(count) or isinstance(bins, (bool, np.bool_)):
            raise DataError(f"bins must be a whole number of bins; got {bins!r}")
        if count < 1:
            raise DataError(f"bins must be at least 1; got {bins}")
        edges = _histogram_edges(low, high, min(int(count), MAX_BINS))
    else:
        edges = np.asarray(bins, dtype=float)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0) or not np.all(np.isfinite(edges)):
            raise DataError("bin edges must be at least two finite numbers in increasing order")
        if low < edges[0] or high > edges[-1]:
            outside = int(np.sum((numbers < edges[0]) | (numbers > edges[-1])))
            raise DataError(f"{outside:,} values lie outside the bin edges [{edges[0]:g}, {edges[-1]:g}]; widen the edges")
        return edges, warnings
    if edges.size - 1 > MAX_BINS:
        warnings.append(f"The binning rule asked for {edges.size - 1:,} bins; {MAX_BINS} are used.")
        edges = _histogram_edges(low, high, MAX_BINS)
    if not _valid_edges(edges):  # numpy's rules break down on ranges near the float limits
        edges = _histogram_edges(low, high, int(math.ceil(math.log2(numbers.size))) + 1)  # Sturges, by count
    return edges, warnings


def _valid_edges(edges: np.ndarray) -> bool:
    return edges.size >= 2 and bool(np.all(np.isfinite(edges))) and bool(np.all(np.diff(edges) > 0))


def _histogram_edges(low: float, high: float, count: int) -> np.ndarray:
    """``np.histogram_bin_edges(values, bins=count)`` for values from ``low`` to ``high`` (numpy uses only those two)."""
    try:
        edges = np.histogram_bin_edges(np.array([low, high]), bins=count)
    except ValueError:  # "Too many bins for data range": the range is a few float steps wide
        raise _too_narrow_error(low, high, count) from None
    if not _valid_edges(edges):
        raise _too_narrow_error(low, high, count)
    return edges


def _too_narrow_error(low: float, high: float, count: int) -> DataError:
    return DataError(
        f"The values run from {low:.17g} to {high:.17g}, too narrow a range to cut into {count:,} "
        "bins at floating-point precision. Use fewer bins, or treat the data as discrete."
    )


def _freedman_diaconis_count(numbers: np.ndarray, span: float, iqr: float | None = None) -> float:
    """How many bins the Freedman–Diaconis rule wants, computed before numpy allocates them (``iqr``: :func:`_sample_iqr`, if known)."""
    iqr = _sample_iqr(numbers) if iqr is None else iqr
    width = 2 * iqr * numbers.size ** (-1 / 3)
    with np.errstate(over="ignore"):
        count = span / width if width > 0 else math.inf
    return math.ceil(count) if math.isfinite(count) else math.inf


_EXACT_IQR_UP_TO = 1 << 22  # beyond, the display rule's quartiles come from a sample


def _first_pass_and_iqr(numbers: np.ndarray, wants_iqr: bool) -> tuple[FirstPass, float | None]:
    """The sketch's first pass over ``numbers`` and, if wanted, the interquartile range for the display rule.

    Up to 2**22 values the quartiles are numpy's, computed in a second thread while the first
    pass runs. Beyond, they are the quartiles of the first pass's own sample (about 2**16
    distinct values chosen by hash, with their counts): no extra pass over the array, and the
    same sample in every engine. The display bins move by a fraction of a percent at most.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(1 << 22) + 1)
    >>> first, iqr = _first_pass_and_iqr(x, True)
    >>> first.n, bool(abs(iqr - 1.349) < 0.03)
    (4194305.0, True)
    """
    if not wants_iqr:
        return first_pass(numbers), None
    if numbers.size > _EXACT_IQR_UP_TO:
        first = first_pass(numbers)
        quartiles = first.quantiles([0.25, 0.75])
        return first, (_sample_iqr(numbers) if quartiles is None else float(quartiles[1] - quartiles[0]))
    with ThreadPoolExecutor(1) as pool:
        iqr = pool.submit(_sample_iqr, numbers)
        return first_pass(numbers), iqr.result()


def _wants_iqr(bins: int | str | Sequence[float] | None) -> bool:
    """Whether the display rule for ``bins`` uses the interquartile range (Freedman–Diaconis, numpy's ``auto``)."""
    return bins is None or (isinstance(bins, str) and bins in ("fd", "auto"))


def _sample_iqr(numbers: np.ndarray) -> float:
    """The interquartile range for the display rule.

    Beyond 2**22 values the quartiles come from a deterministic stride of about 2**20 of them
    (display bins only), so the array is never copied whole.
    """
    sample = numbers[:: max(1, numbers.size >> 20)] if numbers.size > 1 << 22 else numbers
    return float(np.subtract(*np.percentile(sample, [75, 25])))


def _from_table(values: Any, weights: Any, kind: Kind | None, name: str, weight_label: str) -> Empirical:
    import pandas as pd

    _check_kind(kind)
    try:
        weight_array = np.asarray(weights, dtype=float)
    except (TypeError, ValueError) as error:
        raise DataError(f"Every {weight_label} must be a number ({error}).") from None
    value_series = _as_series(values, "The table's values")
    if weight_array.ndim != 1 or weight_array.size != len(value_series):
        raise DataError(f"values and {weight_label} columns must have the same length; got {len(value_series)} and {weight_array.size}")
    value_series = value_series.reset_index(drop=True)
    temporal = _is_temporal(value_series)
    force_labels = kind == "categorical" or temporal
    numbers, labels, _ = _split_values(value_series, force_labels=force_labels)
    if labels is not None and kind in ("discrete", "binned"):
        raise DataError(_not_numbers_for_kind_message(labels, kind, name, temporal))
    keep, dropped = _usable_rows(value_series, weight_array, labels is None, force_labels)
    weight_array = weight_array[keep]
    _check_weights(weight_array, weight_label)
    if labels is None:
        table_values = pd.to_numeric(value_series[keep], errors="coerce").to_numpy(dtype=float)
        extra = _precision_warnings(table_values)
        if kind == "binned" or (kind is None and _continuous_table(table_values)):
            emp = binned_from_table(table_values, weight_array, name, dropped)
            return replace(emp, warnings=emp.warnings + extra)
    else:
        table_values = value_series[keep].astype("string").str.strip().to_numpy(dtype=object)
        extra = (TEMPORAL_WARNING,) if temporal else ()
    if labels is None and kind is None and np.unique(table_values).size > MAX_DISCRETE_VALUES:
        emp = binned_from_table(table_values, weight_array, name, dropped)  # issue 11: as many values as observations would
        extra = (_many_values_warning(table_values, emp), *extra)
    else:
        emp = _aggregate(table_values, weight_array, "categorical" if labels is not None else "discrete", name, dropped)
    return replace(emp, warnings=emp.warnings + extra)


def _continuous_table(values: np.ndarray) -> bool:
    """A (value, count) table is continuous when its values are fractions and too many to list as points."""
    if np.all(values == np.round(values)):
        return False
    return np.unique(values).size > MAX_DISCRETE_VALUES


def _many_values_warning(values: np.ndarray, emp: Empirical) -> str:
    """Why a table of whole numbers was read as continuous (issue 11: a figure of 83,000 bars freezes a browser)."""
    return (f"The table has {np.unique(values).size:,} distinct values (more than {MAX_DISCRETE_VALUES:,}), so it is read "
            f"as continuous in {emp.k} bins; choose kind discrete to keep every value.")


def _usable_rows(values: pd.Series, weights: np.ndarray, numeric: bool, force_labels: bool) -> tuple[np.ndarray, dict[str, int]]:
    import pandas as pd

    if numeric and not force_labels:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        bad_value = ~np.isfinite(numbers)
    else:
        text = values.astype("string").str.strip()
        bad_value = (text.isna() | (text == "")).to_numpy(dtype=bool)
    bad_weight = np.isnan(weights)
    dropped = {}
    if bad_value.any():
        dropped["missing or infinite value"] = int(bad_value.sum())
    if (bad_weight & ~bad_value).any():
        dropped["missing weight"] = int((bad_weight & ~bad_value).sum())
    return ~(bad_value | bad_weight), dropped


def _check_weights(weights: np.ndarray, label: str) -> None:
    if weights.size == 0:
        raise DataError(f"The table has no rows with both a value and a {label}.")
    if np.any(np.isinf(weights)):
        raise DataError(f"A {label} is infinite; every {label} must be a finite number.")
    with np.errstate(over="ignore"):
        if not math.isfinite(float(np.sum(np.abs(weights)))):
            raise DataError(f"The {label} values add up to more than floating point can hold (about 1.8e308). Divide them all by a large number.")
    negative = np.flatnonzero(weights < 0)
    if negative.size:
        raise DataError(
            f"{negative.size} {label} value(s) are negative (first: {weights[negative[0]]:g}); "
            f"a {label} cannot be negative. Fix those rows."
        )
    if not np.any(weights > 0):
        raise DataError(f"Every {label} is zero, so there is no distribution. At least one {label} must be positive.")


def _aggregate(values: np.ndarray, weights: np.ndarray, kind: Kind, name: str, dropped: dict[str, int]) -> Empirical:
    support, inverse = np.unique(values.astype(str) if kind == "categorical" else values, return_inverse=True)
    summed = np.bincount(inverse, weights=weights, minlength=support.size)
    warnings = []
    if support.size < values.size:
        warnings.append(
            f"{values.size - support.size} value(s) appeared more than once in the table; their weights were added."
        )
    positive = summed > 0
    limit_check = support[positive]
    if limit_check.size > MAX_SUPPORT:
        raise DataError(f"The table has {limit_check.size:,} distinct values; the limit is {MAX_SUPPORT:,}.")
    support = limit_check.astype(object) if kind == "categorical" else limit_check.astype(float)
    return Empirical(support, summed[positive].astype(float), kind, name=name, dropped=dropped, warnings=tuple(warnings))


def _nothing_left_message(dropped: Mapping[str, int], name: str) -> str:
    what = f"'{name}'" if name else "The data"
    if dropped:
        reasons = ", ".join(f"{count:,} {reason}" for reason, count in dropped.items())
        return f"{what} has no usable values ({reasons}). Choose a column with numbers or labels in it."
    return f"{what} has no values. Choose a column with numbers or labels in it."
