"""Out-of-core continuous data: peak memory of client and workers, and the sketch's error, as floats grow 10×.

    python benchmarks/bench_stream.py                       # 10^7 and 10^8 gamma floats: memory, DuckDB, Dask
    python benchmarks/bench_stream.py --rows 1e6 1e7        # smaller sizes for a quick look
    python benchmarks/bench_stream.py --engines duckdb dask # leave the in-memory reference out
    python benchmarks/bench_stream.py --ints                # integer CSV through count_values, 1× and 10× files
    python benchmarks/bench_stream.py --compare-engines     # the DuckDB-vs-Polars experiment behind the choice

Floats: Gamma(2.5, scale 1.5) values written to Parquet files of 2.5M rows each (so a
Dask partition has the same size at every scale) in a temporary directory, deleted at the
end. Each engine runs in a fresh subprocess that reduces the files to an Empirical (the
mergeable :class:`~kl_core.sketch.ValueSketch`) and fits five families on it: memory
(:meth:`Empirical.from_samples` on the whole array, issue 10's reference), DuckDB
(:func:`kl_core.stream.count_values`) and Dask (:func:`kl_core.cluster.counts_with_dask` on a
``LocalCluster(processes=True, n_workers=2)``). Peak memory is each process's ``VmHWM``:
the client (imports included) and every Dask worker. The raw-data MLE is computed here,
independently of kl_core, in chunks read back from the files: sums for norm, expon,
lognorm and gamma (its shape by a root of log a − ψ(a) = log x̄ − mean log x), Newton on the
profile score for weibull_min (one pass per step). Printed: relative error of every
fitted parameter against it (issue 10: ≤ 1e-3 at 10^8; issue 15: 1e-4) and peak memory
against the raw array (issue 10: ≤ 1.5×).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DATA_DIR, integer_csv, megabytes, run_child  # noqa: E402

SMALL_ROWS = 6_400_000
LARGE_ROWS = 64_000_000
FILE_ROWS = 2_500_000
SHAPE, SCALE = 2.5, 1.5
FAMILIES = ("norm", "expon", "lognorm", "gamma", "weibull_min")

OURS = """
import json, sys, time
start = time.perf_counter()
from kl_core.stream import count_values
emp = count_values(sys.argv[1], "value", memory_limit="{limit}")
print(json.dumps({{"seconds": time.perf_counter() - start, "n": emp.n, "k": emp.k}}))
"""

_FIT = """
reduced = time.perf_counter()
params = {name: fit(emp, name).params for name in FAMILIES}
print(json.dumps({"reduce": reduced - start, "fit": time.perf_counter() - reduced, "n": emp.n,
                  "exact": bool(emp.sketch.exact), "cells": int(emp.sketch.size), "params": params, "workers": workers}))
"""

FLOAT_CHILDREN = {
    "memory": """
import glob, json, sys, time
import numpy as np, pyarrow.parquet as pq
from kl_core import Empirical
from kl_core.models import fit
FAMILIES = sys.argv[2].split(",")
files = sorted(glob.glob(sys.argv[1] + "/*.parquet"))
x = np.empty(sum(pq.ParquetFile(f).metadata.num_rows for f in files))
at = 0
for f in files:
    part = pq.read_table(f, columns=["x"]).column(0).to_numpy()
    x[at:at + part.size] = part
    at += part.size
    del part
start = time.perf_counter()
emp = Empirical.from_samples(x)
workers = []
""" + _FIT,
    "duckdb": """
import json, sys, time
from kl_core.stream import count_values
from kl_core.models import fit
FAMILIES = sys.argv[2].split(",")
start = time.perf_counter()
emp = count_values(sys.argv[1] + "/*.parquet", "x")
workers = []
""" + _FIT,
    "dask": """
import json, sys, time
from distributed import Client, LocalCluster
from kl_core.cluster import counts_with_dask
from kl_core.models import fit
FAMILIES = sys.argv[2].split(",")

def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(row.split()[1]) for row in status if row.startswith("VmHWM:")) / 1024

if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \\
            Client(cluster) as client:
        start = time.perf_counter()
        emp = counts_with_dask(sys.argv[1] + "/*.parquet", "x", scheduler=client)
        workers = sorted(client.run(peak_mb).values())
""" + "\n".join("        " + row for row in _FIT.strip().splitlines()),
}


# ------------------------------------------------------------------------- data and reference
def write_floats(folder: Path, rows: int, seed: int = 0) -> Path:
    """Gamma floats as Parquet files of FILE_ROWS rows (row groups of 2**20), written chunk by chunk."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for index, start in enumerate(range(0, rows, FILE_ROWS)):
        size = min(FILE_ROWS, rows - start)
        table = pa.table({"x": rng.gamma(SHAPE, SCALE, size)})
        pq.write_table(table, folder / f"part-{index:04d}.parquet", row_group_size=1 << 20)
    return folder


def chunks(folder: Path):
    """The values back from the files, one row group at a time."""
    import pyarrow.parquet as pq

    for path in sorted(folder.glob("*.parquet")):
        handle = pq.ParquetFile(path)
        for group in range(handle.num_row_groups):
            yield handle.read_row_group(group, columns=["x"]).column(0).to_numpy()


def raw_mle(folder: Path) -> dict[str, dict[str, float]]:
    """The raw-data MLE of the five families, from chunked sums (no kl_core code)."""
    from scipy import optimize, special

    n = total = 0.0
    shift = None
    squares = logs = log_squares = 0.0
    for x in chunks(folder):
        shift = float(x[0]) if shift is None else shift  # a shifted sum of squares avoids cancellation
        lx = np.log(x)
        n += x.size
        total += float(np.sum(x - shift))
        squares += float(np.dot(x - shift, x - shift))
        logs += float(lx.sum())
        log_squares += float(np.dot(lx, lx))
    mean_shifted = total / n
    mean = shift + mean_shifted
    variance = squares / n - mean_shifted**2
    log_mean = logs / n
    log_variance = log_squares / n - log_mean**2
    s = math.log(mean) - log_mean
    shape = optimize.brentq(lambda a: math.log(a) - special.digamma(a) - s, 1e-6, 1e9, xtol=1e-15, rtol=1e-15)
    c = math.pi / math.sqrt(6 * log_variance)  # Weibull: sd(log x) = π / (c √6), the start for Newton
    for _ in range(30):
        a = b = d = 0.0
        for x in chunks(folder):
            lx = np.log(x)
            xc = np.exp(c * lx)
            a += float(np.dot(xc, lx))
            b += float(xc.sum())
            d += float(np.dot(xc, lx * lx))
        score = 1 / c + log_mean - a / b
        step = score / (-1 / c**2 - (d * b - a * a) / b**2)
        c -= step
        if abs(step) < 1e-13 * c:
            break
    b = sum(float(np.exp(c * np.log(x)).sum()) for x in chunks(folder))
    return {
        "norm": {"loc": mean, "scale": math.sqrt(variance)},
        "expon": {"loc": 0.0, "scale": mean},
        "lognorm": {"s": math.sqrt(log_variance), "loc": 0.0, "scale": math.exp(log_mean)},
        "gamma": {"a": shape, "loc": 0.0, "scale": mean / shape},
        "weibull_min": {"c": c, "loc": 0.0, "scale": (b / n) ** (1 / c)},
    }


def worst_error(fitted: dict[str, dict[str, float]], reference: dict[str, dict[str, float]]) -> tuple[float, str]:
    """The largest relative parameter error (loc fixed at 0 is skipped), and where."""
    worst, where = 0.0, ""
    for family, params in reference.items():
        for key, value in params.items():
            if value == 0.0:
                continue
            error = abs(fitted[family][key] - value) / abs(value)
            if error >= worst:
                worst, where = error, f"{family} {key}"
    return worst, where


# ------------------------------------------------------------------------------ float runs
def run_floats(sizes: list[int], engines: list[str]) -> int:
    print(f"gamma({SHAPE}, scale {SCALE}) floats, Parquet files of {FILE_ROWS:,} rows; engines: {', '.join(engines)}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    rows_out = []
    with tempfile.TemporaryDirectory(prefix="kl_bench_floats_", dir=os.environ.get("KL_BENCH_DATA")) as scratch:
        for rows in sizes:
            folder = Path(scratch) / f"floats_{rows}"
            start = time.perf_counter()
            write_floats(folder, rows)
            written = time.perf_counter() - start
            start = time.perf_counter()
            reference = raw_mle(folder)
            print(f"{rows:,} floats: files written in {written:.1f} s ({megabytes(sum(p.stat().st_size for p in folder.iterdir())):,.0f} MB), "
                  f"raw MLE in chunks {time.perf_counter() - start:.1f} s", flush=True)
            array_mb = rows * 8 / 2**20
            for engine in engines:
                payload, peak = run_child(FLOAT_CHILDREN[engine], str(folder), ",".join(FAMILIES))
                error, where = worst_error(payload["params"], reference)
                workers = payload.get("workers") or []
                row = {
                    "rows": rows, "engine": engine, "reduce": payload["reduce"], "fit": payload["fit"], "client": peak,
                    "workers": workers, "array": array_mb, "error": error, "where": where, "cells": payload["cells"],
                }
                rows_out.append(row)
                print(_row_text(row), flush=True)
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()
    print_table(rows_out)
    return 0


def _row_text(row: dict) -> str:
    workers = " + ".join(f"{w:,.0f}" for w in row["workers"]) or "-"
    return (f"{row['engine']} {row['rows']:,}: reduce {row['reduce']:.1f} s, fit {row['fit']:.1f} s, client peak {row['client']:,.0f} MB "
            f"({row['client'] / row['array']:.2f}× the {row['array']:,.0f} MB array), workers {workers} MB, "
            f"{row['cells']:,} cells, worst parameter error {row['error']:.1e} ({row['where']})")


def print_table(rows: list[dict]) -> None:
    print("\n| floats | engine | reduce s | fit 5 s | client peak MB | × raw array | worker peaks MB | worst rel. error vs raw MLE |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        workers = " / ".join(f"{w:,.0f}" for w in row["workers"]) or "—"
        print(f"| {row['rows']:.0e} | {row['engine']} | {row['reduce']:.1f} | {row['fit']:.1f} | {row['client']:,.0f} | "
              f"{row['client'] / row['array']:.2f} | {workers} | {row['error']:.1e} ({row['where']}) |")
    engines = sorted({row["engine"] for row in rows})
    sizes = sorted({row["rows"] for row in rows})
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for engine in engines:
            a = next(r for r in rows if r["engine"] == engine and r["rows"] == small)
            b = next(r for r in rows if r["engine"] == engine and r["rows"] == large)
            growth = f"client memory ×{b['client'] / a['client']:.2f}"
            if a["workers"] and b["workers"]:
                growth += f", worker memory ×{max(b['workers']) / max(a['workers']):.2f}"
            print(f"{engine}: data ×{large / small:.0f} -> time ×{b['reduce'] / a['reduce']:.1f}, {growth} "
                  f"(target for DuckDB and Dask: ×~1, flat)", flush=True)


# --------------------------------------------------------------------------- integer CSV runs
def files() -> list[Path]:
    small = integer_csv(DATA_DIR / "ints_6M.csv", SMALL_ROWS)
    large = integer_csv(DATA_DIR / "ints_64M.csv", LARGE_ROWS)
    return [small, large]


ENGINES = {
    "duckdb": """
import json, sys, time
start = time.perf_counter()
import duckdb
con = duckdb.connect(config={{"memory_limit": "{limit}", "threads": 2}})
con.execute("SET enable_progress_bar = false")
rows = con.execute("SELECT {column}, COUNT(*) FROM read_csv(?) GROUP BY {column}", [sys.argv[1]]).fetchall()
print(json.dumps({{"seconds": time.perf_counter() - start, "n": sum(c for _, c in rows), "k": len(rows)}}))
""",
    "polars": """
import json, sys, time
start = time.perf_counter()
import polars as pl
frame = pl.scan_csv(sys.argv[1]).group_by("{column}").len().collect(engine="streaming")
print(json.dumps({{"seconds": time.perf_counter() - start, "n": int(frame["len"].sum()), "k": frame.height}}))
""",
}


def measure(label: str, code: str, paths: list[Path], repeats: int) -> None:
    results = []
    for path in paths:
        best_seconds, peak = None, 0.0
        for _ in range(repeats):
            payload, rss = run_child(code, str(path))
            seconds = payload["seconds"]
            best_seconds = seconds if best_seconds is None else min(best_seconds, seconds)
            peak = max(peak, rss)
        results.append((path, best_seconds, peak, payload))
        print(
            f"{label}: {path.name} {megabytes(path.stat().st_size):,.0f} MB, rows {payload['n']:,.0f}, "
            f"{best_seconds:.2f} s, peak {peak:,.0f} MB",
            flush=True,
        )
    (small, t_small, m_small, _), (large, t_large, m_large, _) = results[0], results[-1]
    size_ratio = large.stat().st_size / small.stat().st_size
    print(
        f"{label}: file ×{size_ratio:.1f} -> time ×{t_large / t_small:.2f}, peak memory ×{m_large / m_small:.2f} "
        f"(target: memory ×~1, i.e. flat)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", type=float, default=[1e7, 1e8], help="float counts (default 1e7 1e8)")
    parser.add_argument("--engines", nargs="+", choices=sorted(FLOAT_CHILDREN), default=["memory", "duckdb", "dask"])
    parser.add_argument("--ints", action="store_true", help="the integer-CSV measurement of count_values instead")
    parser.add_argument("--compare-engines", action="store_true", help="measure raw DuckDB and Polars instead of kl_core.stream")
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit (default 1GB)")
    parser.add_argument("--column", default="value", help="column to count with --compare-engines (try 'id': 64M distinct values)")
    parser.add_argument("--repeats", type=int, default=2, help="runs per file; the fastest is reported, the peak is the max")
    args = parser.parse_args(argv)
    if not (args.ints or args.compare_engines):
        return run_floats([int(rows) for rows in args.rows], args.engines)
    paths = files()
    print(f"files: {', '.join(f'{p.name} ({megabytes(p.stat().st_size):,.0f} MB)' for p in paths)}; machine: 2 cores", flush=True)
    if args.compare_engines:
        print(f"counting column {args.column!r}", flush=True)
        for name in ("duckdb", "polars"):
            try:
                measure(name, ENGINES[name].format(limit=args.memory_limit, column=args.column), paths, args.repeats)
            except RuntimeError as error:
                print(f"{name}: could not run ({str(error).splitlines()[-1]})", flush=True)
        return 0
    measure("kl_core.stream.count_values", OURS.format(limit=args.memory_limit), paths, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
