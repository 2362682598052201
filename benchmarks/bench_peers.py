"""Ours against peers: fitter, and scipy.stats.fit on the raw data.

    pip install -r benchmarks/requirements-bench.txt
    python benchmarks/bench_peers.py [--full-fitter] [--fitter-timebox 600]

(a) fitter 1.8.1 on norm, gamma, lognorm, expon, uniform over 1,000,000 floats vs
    ours (``Empirical.from_samples`` + ``rank``), target ours ≥ 10× faster; and on fitter's own
    default short list (``Fitter(data, distributions="common")``: cauchy, chi2, expon, exponpow,
    gamma, lognorm, norm, powerlaw, rayleigh, uniform), target ≥ 10×;
(b) ours on the whole continuous catalogue over the same floats, target ≤ 10 s
    (fitter's full catalogue only with ``--full-fitter``, in a time-boxed subprocess);
(c) ``scipy.stats.fit`` on the raw integers for binom, nbinom, poisson over 1,000,000
    Poisson(4) integers vs ours, target ≥ 100× faster, with both log-likelihoods
    (ours should be ≥ theirs − 1e-6·N).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from _common import line, median_time, run_child  # noqa: E402

SHORT = ("norm", "gamma", "lognorm", "expon", "uniform")
N = 1_000_000


def ours_rank(data: np.ndarray, names) -> tuple[float, object]:
    from kl_core import Empirical, rank

    return median_time(lambda: rank(Empirical.from_samples(data), list(names)), repeats=3 if len(names) < 10 else 1)


def fitter_time(data: np.ndarray, names) -> float | None:
    try:
        from fitter import Fitter
    except Exception as error:  # noqa: BLE001 - report any import failure and go on
        print(f"  fitter could not be imported ({type(error).__name__}: {error}); its comparisons are skipped")
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        fitter = Fitter(data, distributions=list(names), timeout=600)
        fitter.fit(progress=False)
        elapsed = time.perf_counter() - start
    print(f"  (fitter's best by sum of squared errors: {list(fitter.get_best().keys())[0]})")
    return elapsed


def bench_fitter_short(data: np.ndarray) -> None:
    ours, table = ours_rank(data, SHORT)
    theirs = fitter_time(data, SHORT)
    print(f"  (ours best by KL: {table['model'].iloc[0]})")
    if theirs is not None:
        line("(a) 5 continuous families, 1M floats, fitter vs ours", ours, theirs, "ours ≥ 10× faster, ratio ≤ 0.1")
        print(f"     speed-up {theirs / ours:.0f}×")


def fitter_common() -> list[str] | None:
    """fitter's own default short list (``distributions="common"``), or None without fitter."""
    try:
        from fitter import get_common_distributions
    except Exception:  # noqa: BLE001 - fitter missing: the comparison is skipped
        return None
    return list(get_common_distributions())


def bench_fitter_common(data: np.ndarray) -> tuple[float, float] | None:
    """fitter on its default short list against ours on the same families; (ours, theirs) seconds."""
    names = fitter_common()
    if names is None:
        print("  fitter is not installed: its default list is not compared")
        return None
    ours, table = ours_rank(data, names)
    theirs = fitter_time(data, names)
    failed = int(table["kl"].isna().sum())
    print(f"  (fitter's default list, {len(names)} families: {', '.join(names)}; ours best by KL: {table['model'].iloc[0]}; "
          f"ours not fitted: {failed})")
    if theirs is None:
        return None
    line(f"(a) fitter's default list ({len(names)} families), 1M floats, fitter vs ours", ours, theirs, "ours ≥ 10× faster, ratio ≤ 0.1")
    print(f"     speed-up {theirs / ours:.0f}×")
    return ours, theirs


def bench_catalogue(data: np.ndarray, full_fitter: bool, timebox: float) -> None:
    from kl_core import Empirical
    from kl_core.models import REGISTRY

    emp = Empirical.from_samples(data)
    names = [n for n, s in REGISTRY.items() if s.group in ("simple", "continuous") and s.why_not(emp) is None]
    ours, table = ours_rank(data, names)
    failed = table[table["kl"].isna()]
    print(f"(b) whole continuous catalogue ({len(names)} families), 1M floats: ours {ours:.1f} s (target ≤ 10 s); "
          f"best {table['model'].iloc[0]}; {len(failed)} not fitted", flush=True)
    if len(failed):
        print("     not fitted: " + "; ".join(f"{m}: {str(n)[:60]}" for m, n in zip(failed['model'], failed['note'])))
    if not full_fitter:
        print("     fitter's full catalogue: not run (pass --full-fitter; it takes minutes)")
        return
    code = f"""
import json, time, warnings, numpy as np
warnings.simplefilter("ignore")
from fitter import Fitter, get_distributions
data = np.random.default_rng(2).gamma(2.0, 3.0, {N})
start = time.perf_counter()
Fitter(data, distributions=get_distributions(), timeout=60).fit(progress=False)
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""
    try:
        payload, _ = run_child(code, timeout=timebox)
        line("(b) full catalogue, fitter vs ours", ours, payload["seconds"], "ours ≤ 10 s")
    except TimeoutError:
        print(f"     fitter's full catalogue: still running after the {timebox:.0f} s time box (> {timebox / ours:.0f}× ours)")
    except RuntimeError as error:
        print(f"     fitter's full catalogue failed: {str(error)[-200:]}")


def bench_scipy_fit(ints: np.ndarray) -> None:
    from scipy import stats

    from kl_core import Empirical, rank

    setups = {
        "binom": (stats.binom, {"n": (0, 60), "p": (0, 1), "loc": (0, 0)}, "binomial"),
        "nbinom": (stats.nbinom, {"n": (0, 1000), "p": (0, 1), "loc": (0, 0)}, "nbinom"),
        "poisson": (stats.poisson, {"mu": (0, 50), "loc": (0, 0)}, "poisson"),
    }
    for key, (dist, bounds, ours_name) in setups.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            result = stats.fit(dist, ints, bounds=bounds)
            theirs = time.perf_counter() - start
        their_loglik = -result.nllf()
        ours, table = median_time(lambda: rank(Empirical.from_samples(ints), [ours_name]))
        row = table.iloc[0]
        our_loglik = float(row["loglik"])
        ok = our_loglik >= their_loglik - 1e-6 * len(ints)
        params = ", ".join(f"{k}={v:.4g}" for k, v in result.params._asdict().items())
        line(f"(c) {key}, 1M ints, scipy.stats.fit vs ours", ours, theirs, "ours ≥ 100× faster, ratio ≤ 0.01")
        print(f"     speed-up {theirs / ours:.0f}×; log L ours {our_loglik:,.2f} ({row['label']}) vs scipy {their_loglik:,.2f} "
              f"({params}); ours ≥ theirs − 1e-6·N: {'yes' if ok else 'NO'} (difference {our_loglik - their_loglik:+.3f})")
        if key == "binom" and not ok:
            # Our binomial takes n = the largest observed value unless told; scipy fits n. Same n, fitted p:
            fixed_n = int(round(result.params.n))
            same = rank(Empirical.from_samples(ints), [("binomial", {"n": fixed_n})]).iloc[0]
            same_ok = float(same["loglik"]) >= their_loglik - 1e-6 * len(ints)
            print(f"     with --option binomial.n={fixed_n} (scipy's n): log L ours {float(same['loglik']):,.2f} ({same['label']}); "
                  f"ours ≥ theirs − 1e-6·N: {'yes' if same_ok else 'NO'} (difference {float(same['loglik']) - their_loglik:+.3f})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full-fitter", action="store_true", help="also time fitter on its whole catalogue (minutes)")
    parser.add_argument("--fitter-timebox", type=float, default=600, help="seconds allowed for --full-fitter")
    args = parser.parse_args(argv)
    print(f"bench_peers ({time.strftime('%Y-%m-%d')}, 2 cores)", flush=True)
    floats = np.random.default_rng(2).gamma(2.0, 3.0, N)
    ints = np.random.default_rng(3).poisson(4.0, N)
    bench_fitter_short(floats)
    bench_fitter_common(floats)
    bench_catalogue(floats, args.full_fitter, args.fitter_timebox)
    bench_scipy_fit(ints)
    return 0


if __name__ == "__main__":
    sys.exit(main())
