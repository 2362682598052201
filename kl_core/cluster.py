"""Data on a cluster: the (value, count) table computed by Dask, the ranking done locally.

Install the extra first: ``pip install kl-model-lab[dask]``. Then::

    from kl_core.cluster import counts_with_dask
    emp = counts_with_dask("s3://bucket/worms/*.parquet", "teeth")
    emp = counts_with_dask("data/*.csv", "teeth", scheduler="tcp://scheduler-host:8786")

(tests/test_cluster.py runs it for real on a LocalCluster.)

Only summaries travel back from the workers, so the ranking costs the same whatever the
size of the data. Discrete and categorical columns: the counts (one row per distinct
value). Float columns: each partition's :class:`~kl_core.sketch.FirstPass`, merged in a
tree, then each partition's fine cells on the edges it placed, merged the same way — the
same :class:`~kl_core.sketch.ValueSketch` that :meth:`Empirical.from_samples` builds in
memory and :mod:`kl_core.stream` builds with DuckDB, so the fits give the same parameters.
Floats are grouped by value only when the first pass found few distinct values. Without ``scheduler`` a small
``LocalCluster`` is started (threads in this process; ``n_workers`` = 1) and closed
afterwards; ``scheduler`` may be an address (``"tcp://host:8786"``), a running
``distributed.Client``, or ``"sync"``/``"threads"`` for Dask's local schedulers.
"""

from __future__ import annotations

import functools
import glob as _glob
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from kl_core import sketch as sketch_module
from kl_core.empirical import MAX_DISCRETE_VALUES, MAX_EXACT_INTEGER, SHAPES, Empirical
from kl_core.errors import DataError
from kl_core.sketch import FirstPass, ValueSketch, first_pass, sketch_edges
from kl_core.sketched import empirical_from_sketch

INSTALL_HINT = "pip install kl-model-lab[dask]"
PARQUET_SUFFIXES = (".parquet", ".pq")


def counts_with_dask(
    paths_or_glob: str | os.PathLike | Sequence[str | os.PathLike],
    column: str,
    *,
    scheduler: Any = None,
    shape: str = "observations",
    weight_column: str | None = None,
    kind: str | None = None,
    name: str | None = None,
) -> Empirical:
    """Count ``column`` over CSV or Parquet files with Dask and return an :class:`Empirical`.

    ``shape="observations"``: a float column (or ``kind="binned"``) is reduced as
    :meth:`Empirical.from_samples` reduces it in memory — whole numbers with at most 1,000
    distinct values are discrete, other numbers continuous with the fits' sketch (missing
    and infinite values are dropped and counted); other columns are counted with
    ``value_counts()``. ``"counts"`` / ``"probabilities"``: a groupby-sum of
    ``weight_column`` (or the only other column) per value, built with
    :meth:`Empirical.from_counts` / :meth:`Empirical.from_probabilities`.
    """
    if shape not in SHAPES:
        raise DataError(f"shape must be one of {SHAPES}; got {shape!r}")
    dd = _import_dask()
    files = _files(paths_or_glob)
    parquet = Path(files[0]).suffix.lower() in PARQUET_SUFFIXES
    try:
        frame = dd.read_parquet(files) if parquet else dd.read_csv(files, assume_missing=True, blocksize="64MB")
    except (OSError, ValueError) as error:
        raise DataError(f"Dask could not read {files[0] if len(files) == 1 else f'{len(files)} files'}: {error}") from error
    columns = [str(c) for c in frame.columns]
    if column not in columns:
        raise DataError(f"There is no column {column!r}. The columns are: {', '.join(map(repr, columns[:20]))}.")
    label = column if name is None else name
    if shape == "observations" and kind not in ("discrete", "categorical") and _sketchable(frame[column].dtype, kind):
        with _runner(scheduler) as run:
            return _numbers(frame[column], kind, label, run)
    if shape == "observations":
        series = frame[column]
        graph = (series.value_counts(dropna=True), series.isna().sum())
    else:
        if weight_column is None:
            others = [c for c in columns if c != column]
            if len(others) != 1:
                raise DataError(f"A {shape} table needs a weight column; choose which of the {len(others)} other columns holds it.")
            weight_column = others[0]
        if weight_column not in columns:
            raise DataError(f"There is no column {weight_column!r}. The columns are: {', '.join(map(repr, columns[:20]))}.")
        graph = (frame.groupby(column, dropna=True)[weight_column].sum(), frame[column].isna().sum())
    with _runner(scheduler) as run:
        counts, missing = run(list(graph))
    missing = int(missing)
    counts = counts.sort_index()
    if counts.empty:
        raise DataError(f"{column!r} has no values in {len(files)} file(s).")
    values = counts.index.to_numpy()
    if shape == "probabilities":
        emp = Empirical.from_probabilities(values, counts.to_numpy(dtype=float), kind=kind, name=label)
    else:
        emp = Empirical.from_counts(values, counts.to_numpy(dtype=float), kind=kind, name=label)
    if missing:
        emp = Empirical(emp.support, emp.counts, emp.kind, emp.edges, emp.n, emp.name,
                        {**dict(emp.dropped), "missing": int(missing)}, emp.warnings)
    return emp


Run = Callable[[list[Any]], list[Any]]


@contextmanager
def _runner(scheduler: Any) -> Iterator[Run]:
    """A function computing a list of Dask collections on ``scheduler``, valid inside the block."""
    import dask

    if scheduler in ("sync", "synchronous", "threads", "processes"):
        yield lambda graphs: list(dask.compute(*graphs, scheduler=scheduler))
        return
    from distributed import Client, LocalCluster

    if scheduler is None:
        with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield lambda graphs: list(client.compute(graphs, sync=True))
        return
    if isinstance(scheduler, Client):
        yield lambda graphs: list(scheduler.compute(graphs, sync=True))
        return
    try:
        client = Client(str(scheduler), timeout="10s")
    except (OSError, TimeoutError) as error:
        raise DataError(f"could not reach the Dask scheduler at {scheduler!r}: {error}") from error
    with client:
        yield lambda graphs: list(client.compute(graphs, sync=True))


# ------------------------------------------------------------------------ numbers
def _sketchable(dtype: Any, kind: str | None) -> bool:
    """Float columns take the first pass (are they whole? how many values?); integers only when forced binned."""
    kind_code = getattr(dtype, "kind", "O")
    return kind_code == "f" or (kind == "binned" and kind_code in "iub")


def _numbers(series: Any, kind: str | None, label: str, run: Run) -> Empirical:
    """A numeric column as :meth:`Empirical.from_samples` would reduce it, from per-partition summaries."""
    from dask import delayed

    parts = series.to_delayed()
    (summary,) = run([_tree([delayed(_first_part)(part) for part in parts], _merge_first)])
    first, missing, infinite = summary
    dropped = {reason: count for reason, count in (("missing", missing), ("infinite", infinite)) if count}
    if first is None:
        from kl_core.empirical import _nothing_left_message

        raise DataError(_nothing_left_message(dropped, label))
    if kind is None and _looks_discrete(first):
        return Empirical(first.values, first.counts, "discrete", n=first.n, name=label, dropped=dropped)
    if first.n <= sketch_module.MAX_EXACT_VALUES:  # few enough to hold: exactly the in-memory reduction
        values = np.concatenate(run([delayed(_finite_values)(part) for part in parts]))
        emp = Empirical.from_samples(values, kind="binned", name=label)
        return Empirical(emp.support, emp.counts, "binned", emp.edges, emp.n, label, dropped, emp.warnings, emp.sketch)

    def exact_table(limit: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Every distinct value with its count (None beyond ``limit``): per partition, merged; no shuffle."""
        tables = [delayed(_table_part)(part, limit) for part in parts]
        (table,) = run([_tree(tables, functools.partial(_merge_tables, limit=limit))])
        return table

    def cells(edges: np.ndarray) -> ValueSketch:
        corners = (first.low, first.high, *first.body())
        (sketch,) = run([_tree([delayed(_cells_part)(part, corners) for part in parts], _merge_cells)])
        if not np.array_equal(sketch.edges, edges):
            raise RuntimeError("the workers placed different cells than the client (numpy versions differ?)")
        return sketch

    sketch = ValueSketch.from_first_pass(first, exact_table, cells)
    return empirical_from_sketch(sketch, label, dropped)


def _looks_discrete(first: FirstPass) -> bool:
    """The in-memory rule: whole numbers (exact in float64) with a span or a count of values ≤ 1,000."""
    if not first.whole or max(abs(first.low), abs(first.high)) > MAX_EXACT_INTEGER:
        return False
    return first.high - first.low < MAX_DISCRETE_VALUES or (first.complete and first.values.size <= MAX_DISCRETE_VALUES)


def _tree(items: list[Any], merge: Callable[[Any, Any], Any]) -> Any:
    """Merge delayed results pairwise, in a balanced tree (on the workers)."""
    from dask import delayed

    while len(items) > 1:
        items = [delayed(merge)(*items[i:i + 2]) if i + 1 < len(items) else items[i] for i in range(0, len(items), 2)]
    return items[0]


def _finite(part: Any) -> tuple[np.ndarray, int, int]:
    numbers = np.asarray(part.to_numpy(dtype=float, na_value=np.nan), dtype=float)
    finite = np.isfinite(numbers)
    missing = int(np.count_nonzero(np.isnan(numbers)))
    return numbers[finite] if not finite.all() else numbers, missing, numbers.size - int(finite.sum()) - missing


def _first_part(part: Any) -> tuple[FirstPass | None, int, int]:
    numbers, missing, infinite = _finite(part)
    return (first_pass(numbers) if numbers.size else None), missing, infinite


def _merge_first(a: tuple[FirstPass | None, int, int], b: tuple[FirstPass | None, int, int]) -> tuple[FirstPass | None, int, int]:
    first = b[0] if a[0] is None else a[0] if b[0] is None else a[0].merge(b[0])
    return first, a[1] + b[1], a[2] + b[2]


def _finite_values(part: Any) -> np.ndarray:
    return _finite(part)[0]


Table = tuple[np.ndarray, np.ndarray] | None


def _table_part(part: Any, limit: int) -> Table:
    values, counts = np.unique(_finite(part)[0], return_counts=True)
    return (values, counts.astype(float)) if values.size <= limit else None


def _merge_tables(a: Table, b: Table, limit: int) -> Table:
    if a is None or b is None:
        return None
    values, inverse = np.unique(np.concatenate([a[0], b[0]]), return_inverse=True)
    if values.size > limit:
        return None
    return values, np.bincount(inverse, weights=np.concatenate([a[1], b[1]]), minlength=values.size)


@functools.lru_cache(maxsize=4)
def _edges(corners: tuple[float, float, float, float]) -> np.ndarray:
    return sketch_edges(*corners)


def _cells_part(part: Any, corners: tuple[float, float, float, float]) -> ValueSketch | None:
    """One partition's fine cells on the edges the client placed (rebuilt here from four numbers)."""
    numbers = _finite(part)[0]
    if not numbers.size:
        return None
    edges = _edges(corners)
    chunk = 1 << 20
    sketch = ValueSketch.binned_chunk(numbers[:chunk], edges)
    for start in range(chunk, numbers.size, chunk):
        sketch = sketch.merge(ValueSketch.binned_chunk(numbers[start:start + chunk], edges))
    return sketch


def _merge_cells(a: ValueSketch | None, b: ValueSketch | None) -> ValueSketch | None:
    return b if a is None else a if b is None else a.merge(b)


def _import_dask() -> Any:
    try:
        import dask.dataframe as dd  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as error:
        raise DataError(f"counting on a cluster needs Dask, which is not installed ({error.name}): {INSTALL_HINT}") from error
    return dd


def _files(paths_or_glob: str | os.PathLike | Sequence[str | os.PathLike]) -> list[str]:
    items = [paths_or_glob] if isinstance(paths_or_glob, (str, os.PathLike)) else list(paths_or_glob)
    files: list[str] = []
    for item in items:
        text = os.fspath(item)
        if "://" in text:  # remote storage: let Dask (fsspec) resolve it
            files.append(text)
        elif any(char in text for char in "*?["):
            matched = sorted(_glob.glob(text))
            if not matched:
                raise DataError(f"no files match {text!r}")
            files.extend(matched)
        elif os.path.isdir(text):
            found = sorted(p for p in _glob.glob(os.path.join(text, "*")) if Path(p).suffix.lower() in PARQUET_SUFFIXES + (".csv",))
            if not found:
                raise DataError(f"{text!r} holds no .parquet or .csv files")
            files.extend(found)
        elif not os.path.exists(text):
            raise DataError(f"{text!r}: no such file")
        else:
            files.append(text)
    if not files:
        raise DataError("no files given")
    if len({Path(f).suffix.lower() in PARQUET_SUFFIXES for f in files}) > 1:
        raise DataError("mix of Parquet and CSV files: give files of one format")
    return files


__all__ = ["counts_with_dask", "INSTALL_HINT"]
