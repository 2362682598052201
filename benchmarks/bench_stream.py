"""Bigger-than-memory reduction: wall time and peak RSS as a CSV grows 10×.

    python benchmarks/bench_stream.py                    # kl_core.stream.count_values, 1× and 10× files
    python benchmarks/bench_stream.py --compare-engines  # the DuckDB-vs-Polars experiment behind the choice

Files (integers ``id,value,group``; ~100 MB and ~1 GB) are generated once under
``$KL_BENCH_DATA`` (default /tmp/kl_bench). Every measurement runs in a fresh
subprocess; peak memory is that child's ``ru_maxrss`` (imports included), so the
baseline for "flat" is the smaller file measured the same way in the same run.
``--compare-engines`` needs both duckdb and polars importable; the engine not chosen
is not a dependency of kl_core, so install it by hand for that experiment.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DATA_DIR, integer_csv, megabytes, run_child  # noqa: E402

SMALL_ROWS = 6_400_000
LARGE_ROWS = 64_000_000

OURS = """
import json, sys, time
start = time.perf_counter()
from kl_core.stream import count_values
emp = count_values(sys.argv[1], "value", memory_limit="{limit}")
print(json.dumps({{"seconds": time.perf_counter() - start, "n": emp.n, "k": emp.k}}))
"""

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


def files() -> list[Path]:
    small = integer_csv(DATA_DIR / "ints_6M.csv", SMALL_ROWS)
    large = integer_csv(DATA_DIR / "ints_64M.csv", LARGE_ROWS)
    return [small, large]


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
    parser.add_argument("--compare-engines", action="store_true", help="measure raw DuckDB and Polars instead of kl_core.stream")
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit (default 1GB)")
    parser.add_argument("--column", default="value", help="column to count with --compare-engines (try 'id': 64M distinct values)")
    parser.add_argument("--repeats", type=int, default=2, help="runs per file; the fastest is reported, the peak is the max")
    args = parser.parse_args(argv)
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
