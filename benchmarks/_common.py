"""Shared helpers for the benchmarks: timing, peak memory of a child process, test files.

Benchmarks print ratios against a baseline measured in the same run; nothing here is a
test and nothing is asserted.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("KL_BENCH_DATA", "/tmp/kl_bench"))
PYTHON = sys.executable

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def median_time(function: Callable[[], Any], repeats: int = 3) -> tuple[float, Any]:
    """Median wall time of ``repeats`` calls, and the last call's result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def line(name: str, ours: float, baseline: float, target: str, unit: str = "s", ratio: float | None = None) -> str:
    """``name: ours X s, baseline Y s, ratio Z (target ...)``, printed and returned."""
    ratio = ours / baseline if ratio is None else ratio
    text = f"{name}: ours {ours:.3f} {unit}, baseline {baseline:.3f} {unit}, ratio {ratio:.3g} (target {target})"
    print(text, flush=True)
    return text


def run_child(code: str, *args: str, env: dict[str, str] | None = None, timeout: float = 1800) -> tuple[dict[str, Any], float]:
    """Run ``python -c code args`` in a fresh process; return (its JSON stdout, its peak RSS in MB).

    The peak is the child's ``VmHWM`` (peak resident set of its own address space, read
    from /proc at exit), so imports count. ``ru_maxrss`` from ``wait4`` is the fallback
    only: on Linux it also counts the parent's memory copied at fork time, which
    inflates it when the benchmark process itself is large.
    """
    code = _HWM_PRELUDE + code
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [PYTHON, "-c", code, *args], stdout=out, stderr=err, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
            start_new_session=True,  # its own process group, so a time-out also ends its workers
        )
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                import signal

                os.killpg(process.pid, signal.SIGKILL)  # the child and any workers it started
                os.wait4(process.pid, 0)
                raise TimeoutError(f"child ran past {timeout:.0f} s")
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, error = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"child failed ({process.returncode}): {error.strip()[-2000:]}")
    json_lines = [row for row in text.replace("\r", "\n").splitlines() if row.startswith("{")]
    payload = json.loads(json_lines[-1]) if json_lines else {}
    marks = [row.split()[1] for row in error.splitlines() if row.startswith("__VMHWM__ ")]
    peak_kib = int(marks[-1]) if marks else usage.ru_maxrss  # both in KiB
    return payload, peak_kib / 1024


_HWM_PRELUDE = """
import atexit as _atexit, sys as _sys
def _report_peak():
    try:
        with open('/proc/self/status') as _status:
            for _row in _status:
                if _row.startswith('VmHWM:'):
                    _sys.stderr.write('__VMHWM__ ' + _row.split()[1] + chr(10))
    except OSError:
        pass
_atexit.register(_report_peak)
"""


def integer_csv(path: Path, rows: int, seed: int = 0, chunk: int = 4_000_000) -> Path:
    """A CSV ``id,value,group`` of integers (value ~ Poisson(4), group uniform on 0..999).

    About 16 bytes a row: 64 million rows make ~1 GB. Written once and reused.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    if path.exists() and path.stat().st_size > 0:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    partial = path.with_suffix(".partial")
    with pa_csv.CSVWriter(partial, pa.schema([("id", pa.int64()), ("value", pa.int64()), ("group", pa.int64())])) as writer:
        for start in range(0, rows, chunk):
            size = min(chunk, rows - start)
            writer.write_table(pa.table({
                "id": np.arange(start, start + size, dtype=np.int64),
                "value": rng.poisson(4.0, size).astype(np.int64),
                "group": rng.integers(0, 1000, size, dtype=np.int64),
            }))
    partial.rename(path)
    return path


def single_column_csv_bytes(rows: int, seed: int = 0) -> bytes:
    """``value\\n`` then ``rows`` Poisson(4) integers, one per line, as CSV bytes."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    values = np.random.default_rng(seed).poisson(4.0, rows).astype(np.int64)
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(pa.table({"value": values}), sink, pa_csv.WriteOptions(include_header=False))
    return b"value\n" + sink.getvalue().to_pybytes()


def megabytes(size_bytes: int) -> float:
    return size_bytes / 2**20
