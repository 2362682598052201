"""Files bigger than memory: reduce a CSV or Parquet column to an :class:`Empirical` in bounded memory.

The reduction is done by DuckDB, out of core: ``GROUP BY value`` on ``read_csv`` /
``read_parquet`` under a hard ``memory_limit`` (DuckDB spills to a temporary directory
beyond it), so a 1 GB file is counted in a few hundred MB. Continuous data becomes the
same :class:`~kl_core.sketch.ValueSketch` that :meth:`Empirical.from_samples` builds in
memory, so the fits give the same parameters: up to 2,000,000 values are read whole;
beyond, a SQL pass counts the rows, then the column streams in Arrow batches of
``chunk_rows`` values twice — a :class:`~kl_core.sketch.FirstPass` (min, max, a hash
sample for the cells' placement), then each batch's fine cells, added up — so memory
stays flat however long the file. Floats are never grouped by value unless the first
pass found few distinct values. :func:`binned_counts` keeps the histogram-only reduction.

Why DuckDB rather than Polars' streaming engine: measured on this project's 2-core
machine (``benchmarks/bench_stream.py --compare-engines``; numbers in
``benchmarks/README.md``), Polars was faster on a low-cardinality column but DuckDB
used less memory, enforces a memory limit (spilling to disk) and streams quantiles and
record batches; see the benchmark README for the figures.

Paths may be one file, a list of files or a glob (``data/*.parquet``); all must be the
same format. Everything a person can fix raises :class:`~kl_core.errors.DataError`.
"""

from __future__ import annotations

import atexit
import glob as _glob
import math
import os
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from kl_core.empirical import (
    KINDS, MAX_BINS, MAX_DISCRETE_VALUES, MAX_SUPPORT, SHAPES, Empirical, Kind, Shape, _nothing_left_message,
    choose_weight_column,
)
from kl_core.errors import DataError
from kl_core import sketch as sketch_module
from kl_core.sketched import empirical_from_sketch, sketch_from_chunks
from kl_core.vocabulary import MISSING_TEXT, NULL_TOKENS

__all__ = [
    "CSV_SUFFIXES", "DEFAULT_CHUNK_ROWS", "DEFAULT_MEMORY_LIMIT", "HEAD_ROWS", "PARQUET_SUFFIXES", "SRC",
    "PathLike", "Progress", "binned_counts", "count_values", "is_streamable",
]

Progress = Callable[[float], None]
PathLike = str | os.PathLike | Sequence[str | os.PathLike]

DEFAULT_CHUNK_ROWS = 1_000_000
HEAD_ROWS = 100_000  # rows read to guess whether a numeric column is discrete
DEFAULT_MEMORY_LIMIT = "1GB"
CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".dat")
PARQUET_SUFFIXES = (".parquet", ".pq")
_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL")
SRC = "__kl_source__"  # placeholder for the file reader in SQL text
_INSTALL_HINT = "pip install duckdb==2.0.0 (a dependency of kl-model-lab)"
_PROGRESS_SECONDS = 0.2  # how often a running query's progress is polled


def count_values(
    path: PathLike,
    column: str,
    *,
    shape: Shape = "observations",
    weight_column: str | None = None,
    kind: Kind | None = None,
    bins: int | str | Sequence[float] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int | None = None,
    progress: Progress | None = None,
    name: str | None = None,
) -> Empirical:
    """Reduce one column of a CSV or Parquet file (or files) to an :class:`Empirical`, out of core.

    Parameters mirror :func:`kl_core.empirical.to_empirical`: ``shape`` is
    ``"observations"`` (one value per row), ``"counts"`` or ``"probabilities"`` (a value
    column and a weight column, summed per value). Numbers that are all whole with at
    most 1,000 distinct values become ``discrete``; other numbers become ``binned`` with the
    sketch the fits use (as :meth:`Empirical.from_samples` would build it; display bins by
    numpy's "auto" rule unless ``bins`` says otherwise); text becomes ``categorical``. ``progress(fraction)`` is
    called from time to time while the file is read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "teeth.csv"
    >>> _ = path.write_text("teeth\\n1\\n2\\n2\\n\\n3\\n")
    >>> emp = count_values(path, "teeth")
    >>> emp.kind, emp.support.tolist(), emp.counts.tolist()
    ('discrete', [1.0, 2.0, 3.0], [1.0, 2.0, 1.0])
    """
    if shape not in SHAPES:
        raise DataError(f"shape must be one of {SHAPES}; got {shape!r}")
    if kind is not None and kind not in KINDS:
        raise DataError(f"kind must be one of {KINDS} or None to guess; got {kind!r}")
    label = str(column) if name is None else name
    with _Source(path, memory_limit, threads) as source:
        value_type = source.column_type(column)
        if shape != "observations":
            weight = source.weight_column(column, weight_column, shape)
            return _table(source, column, value_type, weight, shape, kind, label, progress)
        if kind == "categorical" or (kind is None and not _is_numeric(value_type) and not source.mostly_numbers(column)):
            return _categorical(source, column, label, progress)
        expression = source.number_expression(column, value_type)
        if kind != "binned" and (kind == "discrete" or source.head_looks_discrete(expression, column)):
            emp = _discrete(source, expression, label, progress, forced=kind == "discrete")
            if emp is not None:
                return emp
        stats = source.stats(expression, _scaled(progress, 0.0, 0.2), quartiles=False)
        if stats.finite == 0:
            raise DataError(_nothing_left_message(stats.dropped, label))
        return _sketched(source, expression, stats, bins, chunk_rows, label, _scaled(progress, 0.2, 1.0))


def binned_counts(
    path: PathLike,
    column: str,
    edges: Sequence[float] | None = None,
    *,
    bins: int | str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int | None = None,
    progress: Progress | None = None,
    name: str | None = None,
) -> Empirical:
    """Continuous data as histogram bins, in two bounded-memory passes.

    Give explicit ``edges``, a number of equal-width ``bins``, or a rule: ``"fd"``
    (Freedman–Diaconis on approximate quartiles; the default, Sturges when the IQR is
    0), ``"sturges"``, ``"sqrt"``, ``"rice"`` or ``"scott"``. At most 500 bins are used.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "minutes.csv"
    >>> _ = path.write_text("minutes\\n" + "\\n".join(str(x / 10) for x in range(100)))
    >>> emp = binned_counts(path, "minutes", bins=4)
    >>> emp.kind, emp.edges.round(4).tolist(), emp.counts.tolist()
    ('binned', [0.0, 2.475, 4.95, 7.425, 9.9], [25.0, 25.0, 25.0, 25.0])
    """
    if edges is not None and bins is not None:
        raise DataError("give either edges or bins, not both")
    label = str(column) if name is None else name
    with _Source(path, memory_limit, threads) as source:
        expression = source.number_expression(column, source.column_type(column))
        stats = source.stats(expression, _scaled(progress, 0.0, 0.5))
        if stats.finite == 0:
            raise DataError(_nothing_left_message(stats.dropped, label))
        return _binned(source, expression, stats, edges if edges is not None else bins, chunk_rows, label, _scaled(progress, 0.5, 1.0))


def is_streamable(path: str | os.PathLike) -> bool:
    """True for file names DuckDB reads here (CSV-like text and Parquet)."""
    return Path(path).suffix.lower() in CSV_SUFFIXES + PARQUET_SUFFIXES


# --------------------------------------------------------------------------- the source
class _Stats:
    """First-pass numbers about a numeric column."""

    def __init__(self, rows: int, missing: int, infinite: int, low: float, high: float, q1: float, q3: float):
        self.rows, self.missing, self.infinite = rows, missing, infinite
        self.finite = rows - missing - infinite
        self.low, self.high, self.q1, self.q3 = low, high, q1, q3

    @property
    def dropped(self) -> dict[str, int]:
        return {reason: count for reason, count in (("missing", self.missing), ("infinite", self.infinite)) if count}


class _Source:
    """A DuckDB connection (:func:`_connection`) with a memory limit, and the file(s) as a relation ``src``."""

    def __init__(self, path: PathLike, memory_limit: str, threads: int | None):
        self.files = _resolve(path)
        self.memory_limit, self.threads = memory_limit, threads

    def __enter__(self) -> "_Source":
        self.con = _connection(self.memory_limit, self.threads)
        self.con.execute("SET enable_progress_bar = true")  # tracked for query_progress()...
        self.con.execute("SET enable_progress_bar_print = false")  # ...but never printed
        self.con.execute("SET progress_bar_time = 0")
        self._error = _import_duckdb().Error
        suffix = Path(self.files[0]).suffix.lower()
        self.text_nulls = suffix not in PARQUET_SUFFIXES  # text: a cell "NA" means no value (Parquet has real nulls)
        if suffix in PARQUET_SUFFIXES:
            self.reader = "read_parquet(?)"
        else:
            self.reader = "read_csv(?, sample_size = 100000)"
        self.params = [self.files]
        try:
            self._columns = self._describe()
        except BaseException:
            self.con.close()
            raise
        if suffix not in PARQUET_SUFFIXES and len(self._columns) == 1:
            # In a one-column CSV a blank line is a NULL row to DuckDB; the in-memory readers (pandas,
            # pyarrow) skip blank lines, so the same file must not report them as missing values here.
            (only,) = self._columns
            self.reader = f"(SELECT * FROM {self.reader} WHERE {_quote(only)} IS NOT NULL)"
        return self

    def __exit__(self, *exc: object) -> None:
        self.con.close()

    # ----------------------------------------------------------------- running SQL
    def query(self, sql: str, progress: Progress | None = None, extra: Sequence[Any] = ()) -> list[tuple]:
        """Run ``sql`` (``src`` stands for the file) and fetch all rows; DuckDB errors become DataError."""
        text = sql.replace(SRC, self.reader)
        params = [*self.params, *extra] if SRC in sql else list(extra)
        try:
            if progress is None:
                return self.con.execute(text, params).fetchall()
            return self._with_progress(text, params, progress)
        except self._error as error:
            raise DataError(_friendly(error, self.files)) from error

    def _with_progress(self, text: str, params: list[Any], progress: Progress) -> list[tuple]:
        result: dict[str, Any] = {}

        def work() -> None:
            try:
                result["rows"] = self.con.execute(text, params).fetchall()
            except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
                result["error"] = error

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        try:
            while thread.is_alive():
                thread.join(_PROGRESS_SECONDS)
                try:
                    done = self.con.query_progress()
                except Exception:  # noqa: BLE001 - progress is best effort
                    done = -1
                if done >= 0:
                    progress(min(done / 100.0, 1.0))
        except BaseException:
            # The callback raised (or Ctrl-C): stop the query before the connection is closed. A
            # connection closed under a running query, or a query still running at exit, aborts the process.
            self.con.interrupt()
            thread.join()
            raise
        if "error" in result:
            raise result["error"]
        progress(1.0)
        return result["rows"]

    def batches(self, sql: str, chunk_rows: int) -> Iterator[Any]:
        """Arrow record batches of a query over ``src``, ``chunk_rows`` rows at a time."""
        try:
            reader = self.con.sql(sql.replace(SRC, self.reader), params=self.params).to_arrow_reader(chunk_rows)
            yield from reader
        except self._error as error:
            raise DataError(_friendly(error, self.files)) from error

    # ------------------------------------------------------------------ columns
    def _describe(self) -> dict[str, str]:
        rows = self.query(f"DESCRIBE SELECT * FROM {SRC}")
        return {str(row[0]): str(row[1]).upper() for row in rows}

    def column_type(self, column: str) -> str:
        if column not in self._columns:
            available = ", ".join(repr(c) for c in list(self._columns)[:20])
            raise DataError(f"There is no column {column!r}. The columns are: {available}.")
        return self._columns[column]

    def weight_column(self, column: str, weight_column: str | None, shape: str) -> str:
        self.column_type(column)
        weight_column = choose_weight_column(list(self._columns), column, weight_column, shape)
        self.column_type(weight_column)
        return weight_column

    def mostly_numbers(self, column: str) -> bool:
        """For a text column: do at least half of its non-empty cells read as numbers?"""
        cell = f"trim(CAST({_quote(column)} AS VARCHAR))"
        ((filled, numbers),) = self.query(
            f"SELECT count(*) FILTER (WHERE {cell} <> ''), "
            f"count(TRY_CAST(replace({cell}, ',', '.') AS DOUBLE)) FILTER (WHERE {cell} <> '') FROM {SRC}"
        )
        return bool(filled) and numbers / filled >= 0.5

    def number_expression(self, column: str, value_type: str) -> str:
        """SQL for the column as DOUBLE; a DataError naming the cells that are not numbers."""
        quoted = _quote(column)
        if _is_numeric(value_type):
            return f"CAST({quoted} AS DOUBLE)"
        if value_type == "BOOLEAN":
            return f"CAST({quoted} AS DOUBLE)"
        cell = f"trim(CAST({quoted} AS VARCHAR))"
        expression = f"TRY_CAST(replace({cell}, ',', '.') AS DOUBLE)"
        bad = self.query(
            f"SELECT count(*), min({cell}) FROM {SRC} WHERE {cell} <> '' AND lower({cell}) NOT IN "
            f"({_sql_list((*MISSING_TEXT, 'inf', '-inf', 'infinity', '-infinity'))}) AND {expression} IS NULL"
        )
        count, example = bad[0]
        if count:
            raise DataError(
                f"column {column!r} has {count:,} values that are not numbers (for example {example!r}). "
                "Fix or remove those rows, or treat the column as categorical (--kind categorical)."
            )
        return expression

    def stats(self, expression: str, progress: Progress | None, quartiles: bool = True) -> _Stats:
        """Rows, missing, infinite, min, max and (t-digest, when asked: it is the slow part) quartiles."""
        finite = f"isfinite({expression})"
        quartile_sql = f"approx_quantile({expression}, [0.25, 0.75]) FILTER (WHERE {finite})" if quartiles else "NULL"
        row = self.query(
            f"SELECT count(*), count(*) FILTER (WHERE {expression} IS NULL OR isnan({expression})), "
            f"count(*) FILTER (WHERE isinf({expression})), "
            f"min({expression}) FILTER (WHERE {finite}), max({expression}) FILTER (WHERE {finite}), "
            f"{quartile_sql} FROM {SRC}",
            progress,
        )[0]
        rows, missing, infinite, low, high, quartiles = row
        q1, q3 = (quartiles or [math.nan, math.nan])[:2]
        return _Stats(int(rows), int(missing), int(infinite), _float(low), _float(high), _float(q1), _float(q3))

    def head_looks_discrete(self, expression: str, column: str) -> bool:
        """Do the first rows look discrete (whole numbers, few distinct)? Reads only the head of the file,
        or not even that when the Parquet footers say the column holds integers on a narrow range."""
        if self._narrow_integers(column):
            return True
        ((whole, distinct),) = self.query(
            f"SELECT coalesce(bool_and(v = floor(v)), true), approx_count_distinct(v) FROM "
            f"(SELECT {expression} AS v FROM {SRC} LIMIT {HEAD_ROWS}) WHERE isfinite(v)"
        )
        return bool(whole) and int(distinct) <= 2 * MAX_DISCRETE_VALUES


    def _narrow_integers(self, column: str) -> bool:
        """Whether the Parquet footers' statistics show integers spanning fewer than MAX_DISCRETE_VALUES values:
        then the head is certainly discrete, and the scan of it (~10 ms, a quarter of a GROUP BY of 10^7 rows) is skipped."""
        if self.reader != "read_parquet(?)" or self.column_type(column) not in _SIGNED_INTEGER_TYPES:
            return False
        ((groups, low, high),) = self.query(
            "SELECT count(*) FILTER (WHERE TRY_CAST(stats_min_value AS HUGEINT) IS NULL "
            "OR TRY_CAST(stats_max_value AS HUGEINT) IS NULL), "
            "min(TRY_CAST(stats_min_value AS HUGEINT)), max(TRY_CAST(stats_max_value AS HUGEINT)) "
            "FROM parquet_metadata(?) WHERE path_in_schema = ?", extra=[self.files, column],
        )
        return groups == 0 and low is not None and high - low < MAX_DISCRETE_VALUES


def _connection(memory_limit: str, threads: int | None) -> Any:
    """A new connection (a cursor) to this process's DuckDB database for these settings.

    The database is opened once per (memory limit, threads) and kept until the process exits:
    opening one costs about 14 ms (a third of a GROUP BY over 10^7 Parquet rows), a cursor on it
    0.3 ms. Queries running at once share its memory limit and its spill folder.
    """
    key = (memory_limit, int(threads) if threads else None, os.getpid())  # a forked child opens its own
    with _DATABASES_LOCK:
        database = _DATABASES.get(key)
        if database is None:
            duckdb = _import_duckdb()
            spill = tempfile.mkdtemp(prefix="kl_core_duckdb_")
            config: dict[str, Any] = {"memory_limit": memory_limit, "temp_directory": spill, "preserve_insertion_order": False}
            if threads:
                config["threads"] = int(threads)
            try:
                database = duckdb.connect(config=config)
            except duckdb.Error as error:
                shutil.rmtree(spill, ignore_errors=True)
                raise DataError(f"could not start the streaming reader: {_first_line(error)}") from error
            if not _DATABASES:
                atexit.register(_close_databases)
            _DATABASES[key] = database
            _SPILLS[key] = spill
        return database.cursor()


def _close_databases() -> None:
    """At exit: close the databases, delete their spill folders, and let go of them before the interpreter does."""
    with _DATABASES_LOCK:
        while _DATABASES:
            key, database = _DATABASES.popitem()
            try:
                database.close()
            finally:
                shutil.rmtree(_SPILLS.pop(key), ignore_errors=True)


_DATABASES: dict[tuple[str, int | None, int], Any] = {}
_SPILLS: dict[tuple[str, int | None, int], str] = {}
_DATABASES_LOCK = threading.Lock()
_SIGNED_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")


# ----------------------------------------------------------------------- reductions
def _discrete(source: _Source, expression: str, label: str, progress: Progress | None, forced: bool) -> Empirical | None:
    """One GROUP BY pass. None when, unforced, the values turn out not to be discrete (then bin them)."""
    rows = source.query(
        f"SELECT v, count(*) FROM (SELECT {expression} AS v FROM {SRC}) GROUP BY v LIMIT {MAX_SUPPORT + 4}", progress
    )
    missing = sum(int(c) for v, c in rows if v is None or math.isnan(v))
    infinite = sum(int(c) for v, c in rows if v is not None and math.isinf(v))
    dropped = {reason: count for reason, count in (("missing", missing), ("infinite", infinite)) if count}
    finite = [(v, c) for v, c in rows if v is not None and math.isfinite(v)]
    if not finite:
        raise DataError(_nothing_left_message(dropped, label))
    values = np.array([v for v, _ in finite], dtype=float)
    counts = np.array([c for _, c in finite], dtype=float)
    if not forced:
        whole = bool(np.all(values == np.round(values)))
        if not whole or (values.max() - values.min() >= MAX_DISCRETE_VALUES and values.size > MAX_DISCRETE_VALUES):
            return None  # the in-memory rule would bin these numbers
    if values.size > MAX_SUPPORT:
        raise DataError(
            f"{label or 'The data'} has more than {MAX_SUPPORT:,} distinct values; the limit for discrete data is "
            f"{MAX_SUPPORT:,}. Treat it as continuous (binned) instead."
        )
    order = np.argsort(values)
    return Empirical(values[order], counts[order], "discrete", n=float(counts.sum()), name=label, dropped=dropped)


def _categorical(source: _Source, column: str, label: str, progress: Progress | None) -> Empirical:
    text = f"CAST({_quote(column)} AS VARCHAR)"
    if source.text_nulls:  # a CSV cell that is one of the null tokens, as written, is missing (as pyarrow reads it)
        text = f"CASE WHEN {text} IN ({_sql_list(NULL_TOKENS)}) THEN NULL ELSE {text} END"
    rows = source.query(
        f"SELECT label, count(*) FROM (SELECT trim({text}) AS label FROM {SRC}) GROUP BY label LIMIT {MAX_SUPPORT + 2}",
        progress,
    )
    missing = sum(int(count) for value, count in rows if value is None or value == "")
    kept = [(value, count) for value, count in rows if value is not None and value != ""]
    dropped = {"missing": missing} if missing else {}
    if not kept:
        raise DataError(_nothing_left_message(dropped, label))
    if len(kept) > MAX_SUPPORT:
        raise DataError(
            f"{label or 'The data'} has more than {MAX_SUPPORT:,} distinct labels; the limit is {MAX_SUPPORT:,}. "
            "A column where nearly every row differs (an ID, a timestamp) is not a distribution: pick another column."
        )
    labels = np.array([value for value, _ in kept], dtype=str)
    counts = np.array([count for _, count in kept], dtype=float)
    order = np.argsort(labels, kind="stable")
    return Empirical(labels[order].astype(object), counts[order], "categorical", n=float(counts.sum()), name=label, dropped=dropped)


def _table(
    source: _Source, column: str, value_type: str, weight: str, shape: str, kind: Kind | None, label: str,
    progress: Progress | None,
) -> Empirical:
    if kind == "binned":
        raise DataError("A frequency or probability table is discrete or categorical; binned data needs raw observations")
    weight_expression = source.number_expression(weight, source.column_type(weight))
    categorical = kind == "categorical" or (kind is None and not _is_numeric(value_type) and not source.mostly_numbers(column))
    if categorical:
        value = f"nullif(trim(CAST({_quote(column)} AS VARCHAR)), '')"
        valid = "v IS NOT NULL"
    else:
        value = source.number_expression(column, value_type)
        valid = "isfinite(v)"
    rows = source.query(
        f"SELECT v, sum(w), min(w), max(w), count(*), count(w) FROM (SELECT {value} AS v, {weight_expression} AS w FROM {SRC}) "
        f"WHERE {valid} GROUP BY v",
        progress,
    )
    ((bad_values,),) = source.query(f"SELECT count(*) FROM (SELECT {value} AS v FROM {SRC}) WHERE NOT coalesce({valid}, false)")
    if not rows:
        raise DataError(f"The table has no rows with both a value and a {'count' if shape == 'counts' else 'probability'}.")
    values = [row[0] for row in rows]
    sums = np.array([np.nan if row[1] is None else row[1] for row in rows], dtype=float)
    lows = np.array([np.inf if row[2] is None else row[2] for row in rows], dtype=float)
    highs = np.array([-np.inf if row[3] is None else row[3] for row in rows], dtype=float)
    missing_weights = int(sum(row[4] - row[5] for row in rows))
    what = "count" if shape == "counts" else "probability"
    if np.any(np.isinf(lows[np.isfinite(sums)])) or np.any(np.isinf(highs[np.isfinite(sums)])) or np.any(np.isinf(sums)):
        raise DataError(f"A {what} is infinite; every {what} must be a finite number.")
    negative = lows < 0
    if negative.any():
        raise DataError(
            f"Some {what} values are negative (first: {lows[negative].min():g}); a {what} cannot be negative. Fix those rows."
        )
    keep = np.isfinite(sums)
    values = [v for v, k in zip(values, keep) if k]
    sums = sums[keep]
    from kl_core.empirical import _aggregate, _check_weights  # the same checks and sums as an in-memory table

    _check_weights(sums, what)
    array = np.array(values, dtype=object if categorical else float)
    dropped: dict[str, int] = {}
    if bad_values:
        dropped["missing or infinite value"] = int(bad_values)
    if missing_weights:
        dropped["missing weight"] = missing_weights
    emp = _aggregate(array, sums, "categorical" if categorical else "discrete", label, dropped)
    emp = replace(emp, warnings=())  # rows were summed by the GROUP BY on purpose; repeated values are normal here
    if shape == "counts":
        warnings = []
        if not np.all(np.isclose(emp.counts, np.round(emp.counts))):
            warnings.append(
                "Some counts are not whole numbers; they are used as weights, and "
                "N-dependent statistics (log-likelihood, AIC, G-test) take N as their sum."
            )
        return replace(emp, n=float(emp.counts.sum()), warnings=tuple(warnings))
    total = float(emp.counts.sum())
    warnings = [f"The probabilities summed to {total:.6g}; they were divided by that sum."] if abs(total - 1) > 1e-6 else []
    return replace(emp, counts=emp.counts / total, n=None, warnings=tuple(warnings))


def _sketched(
    source: _Source, expression: str, stats: _Stats, bins: int | str | Sequence[float] | None, chunk_rows: int,
    label: str, progress: Progress | None,
) -> Empirical:
    """Continuous data: the values whole when few, else the mergeable sketch over two streamed passes."""
    finite = f"SELECT {expression} AS v FROM {SRC} WHERE isfinite({expression})"
    rows = max(int(chunk_rows), 1024)
    if stats.finite <= sketch_module.MAX_EXACT_VALUES:
        values = np.concatenate([_numbers(batch) for batch in source.batches(finite, rows)])
        if progress:
            progress(1.0)
        return replace(Empirical.from_samples(values, kind="binned", bins=bins, name=label), dropped=stats.dropped)
    passes = [0]

    def chunks() -> Iterator[np.ndarray]:
        start, done = passes[0], 0
        passes[0] += 1
        for batch in source.batches(finite, rows):
            values = _numbers(batch)
            done += values.size
            if progress:
                progress(min((start + done / stats.finite) / 2, 1.0))
            yield values

    def exact_table(limit: int) -> tuple[np.ndarray, np.ndarray] | None:
        found = source.query(f"SELECT v, count(*) FROM ({finite}) GROUP BY v LIMIT {limit + 1}")
        if len(found) > limit:
            return None
        table = np.array(found, dtype=float)
        order = np.argsort(table[:, 0])
        return table[order, 0], table[order, 1]

    sketch = sketch_from_chunks(chunks, exact_table)
    if bins is None:
        return empirical_from_sketch(sketch, label, stats.dropped)
    stats.q1, stats.q3 = np.quantile(sketch.values, [0.25, 0.75], weights=sketch.counts, method="inverted_cdf")
    edges, warnings = _edges(stats, bins)
    return empirical_from_sketch(sketch, label, stats.dropped, tuple(warnings), edges)


def _numbers(batch: Any) -> np.ndarray:
    return np.asarray(batch.column(0).to_numpy(zero_copy_only=False), dtype=float)


def _binned(
    source: _Source, expression: str, stats: _Stats, bins: int | str | Sequence[float] | None, chunk_rows: int,
    label: str, progress: Progress | None,
) -> Empirical:
    edges, warnings = _edges(stats, bins)
    counts = np.zeros(edges.size - 1, dtype=np.int64)
    done = 0
    report = progress
    for batch in source.batches(f"SELECT {expression} AS v FROM {SRC} WHERE isfinite({expression})", max(int(chunk_rows), 1024)):
        values = batch.column(0).to_numpy(zero_copy_only=False)
        counts += np.histogram(values, bins=edges)[0]
        done += values.size
        if report:
            report(done / max(stats.finite, 1))
    centres = (edges[:-1] + edges[1:]) / 2
    return Empirical(
        centres, counts.astype(float), "binned", edges=edges, n=float(counts.sum()), name=label,
        dropped=stats.dropped, warnings=tuple(warnings),
    )


def _edges(stats: _Stats, bins: int | str | Sequence[float] | None) -> tuple[np.ndarray, list[str]]:
    """Bin edges from first-pass statistics, by the same rules as the in-memory reduction."""
    warnings: list[str] = []
    low, high, n = stats.low, stats.high, stats.finite
    if bins is not None and not isinstance(bins, str) and np.ndim(bins) == 1:
        edges = np.asarray(bins, dtype=float)
        if edges.size < 2 or np.any(np.diff(edges) <= 0) or not np.all(np.isfinite(edges)):
            raise DataError("bin edges must be at least two finite numbers in increasing order")
        if low < edges[0] or high > edges[-1]:
            raise DataError(f"Some values lie outside the bin edges [{edges[0]:g}, {edges[-1]:g}] (data spans [{low:g}, {high:g}]); widen the edges")
        return edges, warnings
    if low == high:
        raise DataError(
            f"All {n:,} values equal {low:g}: continuous bins need at least two different values. "
            "Treat the data as discrete instead."
        )
    iqr = stats.q3 - stats.q1
    rule = bins if bins is not None else ("fd" if iqr > 0 else "sturges")
    if isinstance(rule, str):
        rule = rule.lower()
        if rule in ("fd", "auto"):
            if not iqr > 0:
                count = math.ceil(math.log2(n)) + 1
            else:
                width = 2 * iqr * n ** (-1 / 3)
                count = math.ceil((high - low) / width)
                if count > MAX_BINS:
                    warnings.append(f"The Freedman–Diaconis rule asked for {count:,} bins; {MAX_BINS} are used.")
        elif rule == "sturges":
            count = math.ceil(math.log2(n)) + 1
        elif rule == "sqrt":
            count = math.ceil(math.sqrt(n))
        elif rule == "rice":
            count = math.ceil(2 * n ** (1 / 3))
        elif rule == "scott":
            # σ from the IQR (normal: IQR = 1.349σ), since one pass gives quartiles, not a variance
            width = 3.49 * (iqr / 1.349) * n ** (-1 / 3) if iqr > 0 else 0
            count = math.ceil((high - low) / width) if width > 0 else math.ceil(math.log2(n)) + 1
        else:
            raise DataError(f"bins={bins!r} is not a rule the streaming reader knows; use 'fd', 'sturges', 'sqrt', 'rice', 'scott' or a number")
    else:
        count = int(rule)
        if count < 1:
            raise DataError(f"bins must be at least 1; got {bins}")
        if count > MAX_BINS:
            warnings.append(f"{count:,} bins were asked for; {MAX_BINS} are used.")
    count = max(1, min(int(count), MAX_BINS))
    return np.linspace(low, high, count + 1), warnings


# --------------------------------------------------------------------------- helpers
def _import_duckdb() -> Any:
    try:
        import duckdb
    except ImportError as error:  # pragma: no cover - duckdb is a dependency
        raise DataError(f"reading big files needs DuckDB, which is not installed: {_INSTALL_HINT}") from error
    return duckdb


def _resolve(path: PathLike) -> list[str]:
    items = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    if not items:
        raise DataError("no files given")
    files: list[str] = []
    for item in items:
        text = os.fspath(item)
        if any(char in text for char in "*?["):
            matched = sorted(_glob.glob(text))
            if not matched:
                raise DataError(f"no files match {text!r}")
            files.extend(matched)
        elif not os.path.exists(text):
            raise DataError(f"{text!r}: no such file")
        elif os.path.isdir(text):
            raise DataError(f"{text!r} is a directory; give a file or a glob such as {os.path.join(text, '*.parquet')!r}")
        else:
            files.append(text)
    suffixes = {Path(f).suffix.lower() in PARQUET_SUFFIXES for f in files}
    if len(suffixes) > 1:
        raise DataError("mix of Parquet and text files: give files of one format")
    for f in files:
        if not is_streamable(f):
            raise DataError(f"{f!r}: the streaming reader reads CSV-like text ({', '.join(CSV_SUFFIXES)}) and Parquet ({', '.join(PARQUET_SUFFIXES)})")
    return files


def _quote(identifier: str) -> str:
    return '"' + str(identifier).replace('"', '""') + '"'


def _sql_list(words: Sequence[str]) -> str:
    """Constant words as a SQL list of string literals (our own constants, never user text).

    Examples
    --------
    >>> _sql_list(("", "N/A", "it's"))
    "'', 'N/A', 'it''s'"
    """
    return ", ".join("'" + word.replace("'", "''") + "'" for word in words)


def _is_numeric(value_type: str) -> bool:
    return value_type in _NUMERIC_TYPES or value_type.startswith("DECIMAL")


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


def _scaled(progress: Progress | None, start: float, end: float) -> Progress | None:
    if progress is None:
        return None
    return lambda fraction: progress(start + (end - start) * fraction)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _friendly(error: BaseException, files: Sequence[str]) -> str:
    """A DuckDB error as one line a person can act on."""
    text = _first_line(error)
    for prefix in ("Invalid Input Error: ", "Conversion Error: ", "IO Error: ", "Binder Error: ", "Parser Error: "):
        text = text.replace(prefix, "")
    where = files[0] if len(files) == 1 else f"{len(files)} files"
    return f"could not read {where}: {text}"
