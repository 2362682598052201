"""Core speed against the obvious baselines, measured in the same process.

    python benchmarks/bench_core.py            (make bench)

(a) rank every applicable discrete family on 10,000,000 Poisson(4) integers, from the
    int array (``Empirical.from_samples`` + ``rank``) vs ``np.unique(return_counts=True)``
    on the same array (target ≤ 3×);
(b) rank norm, gamma, lognorm, expon, uniform on 1,000,000 floats (target < 0.2 s) vs
    ``scipy.stats.<family>.fit`` on the raw floats;
(c) 10,000,000-row CSV bytes -> Empirical (``read_table`` + ``to_empirical``) vs
    ``pyarrow.csv.read_csv`` on the same bytes (target ≤ 1.5×).
Medians of 3 runs where cheap. Nothing is asserted.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from _common import line, median_time, single_column_csv_bytes  # noqa: E402

CONTINUOUS = ("norm", "gamma", "lognorm", "expon", "uniform")


def discrete_names(emp) -> list[str]:
    from kl_core.models import REGISTRY

    return [name for name, spec in REGISTRY.items() if spec.group in ("simple", "discrete") and spec.why_not(emp) is None]


def bench_discrete() -> None:
    from kl_core import Empirical, rank

    array = np.random.default_rng(1).poisson(4.0, 10_000_000)
    names = discrete_names(Empirical.from_samples(array[:1000]))
    baseline, _ = median_time(lambda: np.unique(array, return_counts=True))
    reduce_time, emp = median_time(lambda: Empirical.from_samples(array))
    rank_time, table = median_time(lambda: rank(emp, names))
    ours, _ = median_time(lambda: rank(Empirical.from_samples(array), names))
    print(f"  ({len(names)} families: {', '.join(names)}; reduce {reduce_time:.3f} s + rank {rank_time:.3f} s; "
          f"best {table['model'].iloc[0]}; failed {int(table['kl'].isna().sum())})")
    line("(a) rank all discrete families, 10M ints", ours, baseline, "≤ 3×")
    bench_slow_discrete(emp, baseline)


def bench_slow_discrete(emp, baseline: float) -> None:
    """The two families that once dominated (a): each fit's time against np.unique, and its log-likelihood."""
    from kl_core import fit, rank

    for name in ("betanbinom", "skellam"):
        seconds, model = median_time(lambda: fit(emp, name))
        loglik = float(rank(emp, [model])["loglik"].iloc[0])
        print(f"  ({model.label}: log-likelihood {loglik:.6f})")
        line(f"(a) {name} fit alone, 10M ints", seconds, baseline, "a small share of (a)")


def bench_continuous() -> None:
    from scipy import stats

    from kl_core import Empirical, rank

    floats = np.random.default_rng(2).gamma(2.0, 3.0, 1_000_000)
    ours, table = median_time(lambda: rank(Empirical.from_samples(floats), list(CONTINUOUS)))
    start = time.perf_counter()
    for name in CONTINUOUS:
        getattr(stats, name).fit(floats)
    baseline = time.perf_counter() - start
    print(f"  (best {table['model'].iloc[0]}; ours {ours:.3f} s, target < 0.2 s)")
    line("(b) rank norm/gamma/lognorm/expon/uniform, 1M floats, vs scipy .fit on raw", ours, baseline, "ours < 0.2 s")


def bench_csv() -> None:
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    from kl_core import to_empirical
    from kl_core.io import read_table

    data = single_column_csv_bytes(10_000_000)
    repeats = 7  # sub-second reads vary by up to 2x between runs on this VM; more repeats steady the medians
    baseline, _ = median_time(lambda: pa_csv.read_csv(pa.BufferReader(data)), repeats)
    read_time, frame = median_time(lambda: read_table(data, "values.csv"), repeats)
    reduce_time, _ = median_time(lambda: to_empirical(frame, "value"), repeats)
    ours, emp = median_time(lambda: to_empirical(read_table(data, "values.csv"), "value"), repeats)
    print(f"  ({len(data) / 2**20:.0f} MB of CSV; read_table {read_time:.3f} s, to_empirical {reduce_time:.3f} s; N {emp.n:,.0f})")
    line("(c) 10M-row CSV bytes -> Empirical", ours, baseline, "≤ 1.5×")


def main() -> int:
    print(f"bench_core ({time.strftime('%Y-%m-%d')}, {__import__('os').cpu_count()} cores)", flush=True)
    for bench in (bench_discrete, bench_continuous, bench_csv):
        bench()
    return 0


if __name__ == "__main__":
    sys.exit(main())
