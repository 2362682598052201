"""Data on a cluster: the (value, count) table computed by Dask, the ranking done locally.

Install the extra first: ``pip install kl-model-lab[dask]``. Then::

    from kl_core.cluster import counts_with_dask
    emp = counts_with_dask("s3://bucket/worms/*.parquet", "teeth")
    emp = counts_with_dask("data/*.csv", "teeth", scheduler="tcp://scheduler-host:8786")

(tests/test_cluster.py runs it for real on a LocalCluster.)

Only the counts (one row per distinct value) travel back from the workers, so the
ranking costs the same whatever the size of the data. Without ``scheduler`` a small
``LocalCluster`` is started (threads in this process; ``n_workers`` = 1) and closed
afterwards; ``scheduler`` may be an address (``"tcp://host:8786"``), a running
``distributed.Client``, or ``"sync"``/``"threads"`` for Dask's local schedulers.
"""

from __future__ import annotations

import glob as _glob
import os
from pathlib import Path
from typing import Any, Sequence


from kl_core.empirical import SHAPES, Empirical
from kl_core.errors import DataError

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

    ``shape="observations"``: ``value_counts()`` of the column (missing values are
    dropped and counted). ``"counts"`` / ``"probabilities"``: a groupby-sum of
    ``weight_column`` (or the only other column) per value. The result is built with
    :meth:`Empirical.from_counts` / :meth:`Empirical.from_probabilities`, so it is
    discrete or categorical; bin continuous data before counting it.
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
    counts, missing = _compute(graph, scheduler)
    counts = counts.sort_index()
    if counts.empty:
        raise DataError(f"{column!r} has no values in {len(files)} file(s).")
    label = column if name is None else name
    values = counts.index.to_numpy()
    if shape == "probabilities":
        emp = Empirical.from_probabilities(values, counts.to_numpy(dtype=float), kind=kind, name=label)
    else:
        emp = Empirical.from_counts(values, counts.to_numpy(dtype=float), kind=kind, name=label)
    if missing:
        emp = Empirical(emp.support, emp.counts, emp.kind, emp.edges, emp.n, emp.name,
                        {**dict(emp.dropped), "missing": int(missing)}, emp.warnings)
    return emp


def _compute(graph: tuple[Any, Any], scheduler: Any) -> tuple[Any, int]:
    import dask

    if scheduler in ("sync", "synchronous", "threads", "processes"):
        counts, missing = dask.compute(*graph, scheduler=scheduler)
        return counts, int(missing)
    from distributed import Client, LocalCluster

    if scheduler is None:
        with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            counts, missing = client.compute(list(graph), sync=True)
        return counts, int(missing)
    if isinstance(scheduler, Client):
        counts, missing = scheduler.compute(list(graph), sync=True)
        return counts, int(missing)
    try:
        client = Client(str(scheduler), timeout="10s")
    except (OSError, TimeoutError) as error:
        raise DataError(f"could not reach the Dask scheduler at {scheduler!r}: {error}") from error
    with client:
        counts, missing = client.compute(list(graph), sync=True)
    return counts, int(missing)


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
