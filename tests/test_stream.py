"""kl_core.stream: out-of-core counts equal the in-memory (pandas / Empirical) reduction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kl_core import DataError, Empirical, to_empirical
from kl_core.stream import binned_counts, count_values


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 20_000
    values = rng.poisson(4.0, n).astype(float)
    values[rng.choice(n, 50, replace=False)] = np.nan
    return pd.DataFrame({
        "events": values,
        "colour": rng.choice(["red", "green", " blue", "", None], n, p=[0.4, 0.3, 0.2, 0.05, 0.05]),
        "minutes": rng.gamma(2.0, 3.0, n),
        "big": rng.integers(0, 50_000, n),
    })


@pytest.fixture(scope="module", params=["csv", "parquet"])
def path(request, frame, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("stream") / f"data.{request.param}"
    if request.param == "csv":
        frame.to_csv(target, index=False)
    else:
        frame.to_parquet(target, index=False)
    return target


def test_counts_equal_pandas_value_counts(path, frame):
    emp = count_values(path, "events", chunk_rows=4096)
    expected = frame["events"].value_counts().sort_index()
    assert emp.kind == "discrete"
    assert emp.support.tolist() == expected.index.tolist()
    assert emp.counts.tolist() == expected.astype(float).tolist()
    assert emp.n == frame["events"].notna().sum()
    assert dict(emp.dropped) == {"missing": 50}
    assert emp.fingerprint() == to_empirical(frame, "events").fingerprint()


def test_categorical_equals_pandas(path, frame):
    emp = count_values(path, "colour")
    labels = frame["colour"].astype("string").str.strip()
    expected = labels[labels.notna() & (labels != "")].value_counts().sort_index()
    assert emp.kind == "categorical"
    assert emp.support.tolist() == expected.index.tolist() == ["blue", "green", "red"]
    assert emp.counts.tolist() == expected.astype(float).tolist()
    assert emp.dropped["missing"] == len(frame) - int(expected.sum())


def test_binned_equals_histogram_on_the_same_edges(path, frame):
    emp = count_values(path, "minutes", chunk_rows=3000)  # guessed: continuous -> binned (FD on approximate quartiles)
    assert emp.kind == "binned"
    assert emp.edges[0] == frame["minutes"].min() and emp.edges[-1] == pytest.approx(frame["minutes"].max())
    expected, _ = np.histogram(frame["minutes"], bins=emp.edges)
    assert emp.counts.tolist() == expected.astype(float).tolist()
    in_memory = Empirical.from_samples(frame["minutes"])
    assert abs(emp.k - in_memory.k) <= 0.05 * in_memory.k + 2  # quartiles are approximate


@pytest.mark.parametrize("bins", [10, "sturges", [0.0, 1.0, 5.0, 10.0, 200.0]])
def test_binned_counts_with_given_bins(path, frame, bins):
    emp = binned_counts(path, "minutes", bins=bins) if not isinstance(bins, list) else binned_counts(path, "minutes", bins)
    reference = Empirical.from_samples(frame["minutes"], kind="binned", bins=bins)
    np.testing.assert_allclose(emp.edges, reference.edges, rtol=1e-12)
    assert emp.counts.tolist() == reference.counts.tolist()


def test_many_distinct_whole_numbers_are_binned_like_in_memory(path, frame):
    emp = count_values(path, "big")
    assert emp.kind == "binned" and emp.n == len(frame)


def test_counts_table_with_repeated_values(tmp_path):
    table = pd.DataFrame({"teeth": [0, 1, 2, 1, 3], "worms": [2, 3, 5, 4, 0]})
    target = tmp_path / "worms.parquet"
    table.to_parquet(target, index=False)
    emp = count_values(target, "teeth", shape="counts", weight_column="worms")
    reference = to_empirical(table, "teeth", shape="counts", weight_column="worms")
    assert emp.support.tolist() == reference.support.tolist() == [0.0, 1.0, 2.0]
    assert emp.counts.tolist() == reference.counts.tolist() == [2.0, 7.0, 5.0]
    assert emp.n == 14
    probabilities = count_values(target, "teeth", shape="probabilities")  # the other column is the weight
    assert probabilities.n is None and probabilities.probs.sum() == pytest.approx(1)


def test_negative_count_is_refused(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("v,c\n1,3\n2,-1\n")
    with pytest.raises(DataError, match="negative"):
        count_values(target, "v", shape="counts")


def test_bad_column_names_the_columns(path):
    with pytest.raises(DataError, match=r"no column 'teeth'.*'events'"):
        count_values(path, "teeth")


def test_text_in_a_number_column(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("x\n" + "1\n2\n" * 50 + "oops\n")
    with pytest.raises(DataError, match="1 values that are not numbers .*'oops'"):
        count_values(target, "x", kind="discrete")


def test_missing_file_and_glob(tmp_path, frame):
    with pytest.raises(DataError, match="no such file"):
        count_values(tmp_path / "nope.csv", "x")
    for i in range(3):
        frame.iloc[i::3].to_parquet(tmp_path / f"part{i}.parquet", index=False)
    emp = count_values(str(tmp_path / "part*.parquet"), "events")
    assert emp.counts.sum() == frame["events"].notna().sum()


def test_progress_is_reported(tmp_path, frame):
    target = tmp_path / "m.csv"
    frame.to_csv(target, index=False)
    seen: list[float] = []
    binned_counts(target, "minutes", bins=20, chunk_rows=2048, progress=seen.append)
    assert seen and seen[-1] == pytest.approx(1.0) and all(0 <= f <= 1 for f in seen)


# ------------------------------------------------------------- continuous: the in-memory sketch, out of core
@pytest.fixture
def small_limits(monkeypatch):
    """Lower the exact-distinct limit (and the first pass's sample) so that test-sized files take every path."""
    from kl_core import sketch

    monkeypatch.setattr(sketch, "MAX_EXACT_VALUES", 40_000)
    monkeypatch.setattr(sketch, "SAMPLE_VALUES", 1_024)


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_continuous_column_gets_the_in_memory_sketch(tmp_path, small_limits, suffix):
    from kl_core.models import fit

    values = np.random.default_rng(8).lognormal(1.0, 0.7, 120_000)
    frame = pd.DataFrame({"size": values})
    target = tmp_path / f"sizes.{suffix}"
    frame.to_parquet(target, index=False) if suffix == "parquet" else frame.to_csv(target, index=False, float_format="%.17g")
    progress: list[float] = []
    streamed = count_values(target, "size", chunk_rows=7_000, progress=progress.append)
    in_memory = Empirical.from_samples(values)
    assert not streamed.sketch.exact and not in_memory.sketch.exact
    assert np.array_equal(streamed.sketch.edges, in_memory.sketch.edges)
    assert np.array_equal(streamed.sketch.cell_counts, in_memory.sketch.cell_counts)
    np.testing.assert_allclose(streamed.sketch.values, in_memory.sketch.values, rtol=1e-13)
    assert streamed.n == values.size and streamed.edges[0] == values.min() and streamed.edges[-1] == values.max()
    assert streamed.counts.sum() == values.size  # display bins hold every value
    for name in ("lognorm", "gamma", "weibull_min"):
        a, b = fit(streamed, name).params, fit(in_memory, name).params
        assert all(abs(a[key] - b[key]) <= 1e-9 for key in a), (name, a, b)
    assert progress and progress[-1] == pytest.approx(1.0) and all(0 <= f <= 1 for f in progress)
    twenty = count_values(target, "size", bins=20)  # display bins as asked; the fits' sketch is the same
    assert twenty.k == 20 and np.array_equal(twenty.sketch.cell_counts, in_memory.sketch.cell_counts)
    # a fine cell that a display edge cuts counts on one side: each bin is off by at most its two cut cells' counts
    cut = np.r_[0.0, in_memory.sketch.cell_counts[np.searchsorted(in_memory.sketch.edges, twenty.edges[1:-1], "right") - 1], 0.0]
    assert np.all(np.abs(twenty.counts - np.histogram(values, twenty.edges)[0]) <= cut[:-1] + cut[1:])
    assert cut.max() <= 20  # fine cells: a handful of these 120,000 values each


def test_few_distinct_floats_are_counted_exactly(tmp_path, small_limits):
    """More rows than the limit but few distinct values: a GROUP BY gives the exact table, as np.unique does in memory."""
    values = np.random.default_rng(9).integers(0, 5_000, 100_000) / 8.0  # 5,000 distinct fractions
    pd.DataFrame({"price": values}).to_parquet(tmp_path / "prices.parquet", index=False)
    streamed = count_values(tmp_path / "prices.parquet", "price", chunk_rows=9_000)
    in_memory = Empirical.from_samples(values)
    assert streamed.sketch.exact and in_memory.sketch.exact
    assert np.array_equal(streamed.sketch.values, in_memory.sketch.values)
    assert np.array_equal(streamed.sketch.counts, in_memory.sketch.counts)


_RAISING_CALLBACK = """
import sys, threading
import duckdb
from kl_core import stream

stream._PROGRESS_SECONDS = 0.001  # poll at once, while the query still runs
opened = []
connection = stream._connection
stream._connection = lambda *args: opened.append(connection(*args)) or opened[-1]
running = []

def stop(fraction):
    running.append(threading.active_count() > 1)  # the query's thread is still at work
    raise {error}("stop reading")

try:
    stream.count_values(sys.argv[1], "value", threads=1, progress=stop)
except {error} as error:
    print("raised", type(error).__name__, str(error))
try:
    opened[0].execute("SELECT 1")
except duckdb.ConnectionException:
    print("connection closed")
print("query was running" if running and running[0] else "query had finished")
"""


@pytest.mark.parametrize("error", ["RuntimeError", "KeyboardInterrupt"])
def test_a_raising_progress_callback_cancels_the_query_cleanly(tmp_path, error):
    """A callback that raises mid-query (or Ctrl-C) stops DuckDB, closes the connection and surfaces as
    that exception: the process neither aborts ("terminate called ...") nor reports a busy connection."""
    import subprocess
    import sys

    import pyarrow as pa
    import pyarrow.csv as pa_csv

    target = tmp_path / "values.csv"
    pa_csv.write_csv(pa.table({"value": np.random.default_rng(0).poisson(4.0, 6_000_000)}), target)
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", _RAISING_CALLBACK.format(error=error), str(target)], cwd=root,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [f"raised {error} stop reading", "connection closed", "query was running"]


def test_parquet_footers_of_narrow_integers_skip_the_head_scan_with_the_same_counts(tmp_path, monkeypatch):
    """Integers whose row-group statistics span < 1,000 values are discrete without reading the head;
    anything the footers cannot vouch for (wide ranges, a row group of nulls only, floats, CSV) is scanned."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pa_parquet

    from kl_core import stream

    rng = np.random.default_rng(8)
    narrow = pa.array(rng.poisson(4.0, 30_000), pa.int64())
    columns = {
        "narrow": narrow,
        "wide": pa.array(rng.integers(0, 5_000, 30_000), pa.int64()),
        "gap": pa.array([None] * 10_000 + rng.integers(0, 9, 20_000).tolist(), pa.int32()),
        "floats": pa.array(rng.poisson(4.0, 30_000).astype(float)),
    }
    target = tmp_path / "counts.parquet"
    pa_parquet.write_table(pa.table(columns), target, row_group_size=10_000)
    pa_csv.write_csv(pa.table({"narrow": narrow}), tmp_path / "counts.csv")
    with stream._Source(target, "1GB", None) as source:
        assert [source._narrow_integers(c) for c in columns] == [True, False, False, False]
    with stream._Source(tmp_path / "counts.csv", "1GB", None) as source:
        assert not source._narrow_integers("narrow")
    shortcut = {c: count_values(target, c) for c in columns}
    monkeypatch.setattr(stream._Source, "_narrow_integers", lambda self, column: False)
    for column, emp in shortcut.items():
        scanned = count_values(target, column)
        assert (emp.kind, emp.support.tobytes(), emp.counts.tobytes(), dict(emp.dropped)) == (
            scanned.kind, scanned.support.tobytes(), scanned.counts.tobytes(), dict(scanned.dropped))
    assert shortcut["narrow"].kind == "discrete" and shortcut["narrow"].n == 30_000


@pytest.mark.parametrize("text", ["value\n1.5\n\n2.5\n\n3.5\nNA\n", "value\n1\n\n2\n\n\n3\nNA\n2\n\n"])
def test_blank_lines_in_a_one_column_csv_are_skipped_as_in_memory(tmp_path, text):
    from kl_core.io import read_table

    path = tmp_path / "blank_lines.csv"
    path.write_text(text)
    streamed = count_values(path, "value")
    in_memory = to_empirical(read_table(path.read_bytes(), path.name), "value")
    assert (streamed.kind, streamed.n, streamed.dropped) == (in_memory.kind, in_memory.n, in_memory.dropped)
    assert streamed.dropped == {"missing": 1}  # the NA only, not the blank lines
    assert np.array_equal(streamed.counts, in_memory.counts)


@pytest.mark.parametrize(("text", "column", "missing"), [
    ("colour,n\nred,1\nNA,2\nblue,3\nnull,4\nN/A,5\nNone,6\n#N/A,7\n,8\nred,9\n NA ,10\nnan,11\n", "colour", 6),
    ("x,n\n1.5,1\n#N/A,2\n2.5,3\nNA,4\n none ,5\n3.5,6\n", "x", 3),
], ids=["labels", "numbers"])
def test_null_tokens_in_a_csv_are_missing_in_every_engine(tmp_path, text, column, missing):
    """The CSV cells that read as missing are one list (kl_core.vocabulary.NULL_TOKENS): before, DuckDB kept
    "NA" and "null" as labels and refused "#N/A" in a column of numbers, while the in-memory readers dropped them."""
    from kl_core.io import read_table

    path = tmp_path / "tokens.csv"
    path.write_text(text)
    streamed = count_values(path, column)
    in_memory = to_empirical(read_table(path.read_bytes(), path.name), column)
    assert (streamed.kind, streamed.n, streamed.dropped) == (in_memory.kind, in_memory.n, in_memory.dropped)
    assert streamed.dropped == {"missing": missing}
    assert streamed.support.tolist() == in_memory.support.tolist() and np.array_equal(streamed.counts, in_memory.counts)
