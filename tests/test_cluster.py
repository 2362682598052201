"""kl_core.cluster: counts from Dask on a LocalCluster equal pandas' value_counts."""

from __future__ import annotations

import builtins

import numpy as np
import pandas as pd
import pytest

from kl_core import DataError, Empirical

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    rng = np.random.default_rng(5)
    folder = tmp_path_factory.mktemp("parts")
    parts = []
    for i in range(3):
        part = pd.DataFrame({"teeth": rng.poisson(5.0, 4000 + i).astype("float64"), "flip": rng.choice(["H", "T"], 4000 + i)})
        part.loc[part.index[:7 * i], "teeth"] = np.nan
        part.to_parquet(folder / f"part-{i}.parquet", index=False)
        parts.append(part)
    return folder, pd.concat(parts, ignore_index=True)


def test_counts_on_a_local_cluster_equal_pandas(dataset):
    from kl_core.cluster import counts_with_dask

    folder, whole = dataset
    emp = counts_with_dask(str(folder / "*.parquet"), "teeth")  # LocalCluster, started and closed
    expected = whole["teeth"].value_counts().sort_index()
    assert emp.support.tolist() == expected.index.tolist()
    assert emp.counts.tolist() == expected.astype(float).tolist()
    assert emp.dropped["missing"] == whole["teeth"].isna().sum() == 21
    labels = counts_with_dask(folder, "flip", scheduler="sync")
    assert labels.kind == "categorical" and labels.counts.tolist() == whole["flip"].value_counts().sort_index().tolist()


def test_counts_table_shape(tmp_path):
    from kl_core.cluster import counts_with_dask

    table = pd.DataFrame({"value": [0, 1, 2, 1], "count": [2, 3, 5, 4]})
    table.to_csv(tmp_path / "t.csv", index=False)
    emp = counts_with_dask(tmp_path / "t.csv", "value", shape="counts", scheduler="sync")
    assert emp.counts.tolist() == [2.0, 7.0, 5.0]
    with pytest.raises(DataError, match="no column 'teeth'"):
        counts_with_dask(tmp_path / "t.csv", "teeth", scheduler="sync")


def test_without_dask_the_message_says_how_to_install(monkeypatch, tmp_path):
    from kl_core import cluster

    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name == "dask" or name.startswith(("dask.", "distributed")):
            raise ImportError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(DataError, match=r"pip install kl-model-lab\[dask\]"):
        cluster.counts_with_dask(tmp_path / "*.parquet", "teeth")


# ------------------------------------------------------------------ continuous: one sketch everywhere
SKETCH_LIMIT = 50_000  # the exact-distinct limit, lowered so that 400,000 floats take the fine-cell path


@pytest.fixture(scope="module")
def floats(tmp_path_factory):
    """400,000 gamma floats in four Parquet files (a few NaN and ±inf among them), and the finite values."""
    rng = np.random.default_rng(11)
    folder = tmp_path_factory.mktemp("floats")
    values = rng.gamma(2.5, 1.5, 400_000)
    column = values.copy()
    column[[5, 70_000, 399_999]] = [np.nan, np.inf, -np.inf]
    for i, part in enumerate(np.array_split(column, 4)):
        pd.DataFrame({"hours": part}).to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder, np.delete(values, [5, 70_000, 399_999])


@pytest.fixture(scope="module")
def two_worker_processes():
    """A real multi-process LocalCluster (two worker processes), closed after the module."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


def test_the_three_engines_give_the_same_fits(floats, two_worker_processes, monkeypatch):
    """Memory, DuckDB and Dask (2 worker processes) build the same sketch: the same parameters."""
    from kl_core import sketch
    from kl_core.cluster import counts_with_dask
    from kl_core.models import fit
    from kl_core.models.registry import default_models
    from kl_core.stream import count_values

    folder, values = floats
    raw = Empirical.from_samples(values)  # under the real limit: every distinct value kept, the raw-data MLE
    assert raw.sketch.exact
    monkeypatch.setattr(sketch, "MAX_EXACT_VALUES", SKETCH_LIMIT)
    engines = {
        "memory": Empirical.from_samples(values),
        "duckdb": count_values(str(folder / "*.parquet"), "hours", chunk_rows=50_000),
        "dask": counts_with_dask(str(folder / "*.parquet"), "hours", scheduler=two_worker_processes),
    }
    for label, emp in engines.items():
        assert emp.kind == "binned" and not emp.sketch.exact, label
        assert emp.n == values.size and emp.sketch.low == values.min() and emp.sketch.high == values.max(), label
        assert np.array_equal(emp.sketch.edges, engines["memory"].sketch.edges), label
        assert np.array_equal(emp.sketch.cell_counts, engines["memory"].sketch.cell_counts), label
        assert emp.sketch.values.tobytes() == engines["memory"].sketch.values.tobytes(), label  # compensated sums: the same means
    assert dict(engines["dask"].dropped) == dict(engines["duckdb"].dropped) == {"missing": 1, "infinite": 2}
    families = default_models(raw)
    assert {"norm", "lognorm", "gamma", "weibull_min", "expon"} <= set(families)
    for name in families:
        reference = fit(raw, name).params
        fitted = {label: fit(emp, name).params for label, emp in engines.items()}
        for key, value in reference.items():
            found = [params[key] for params in fitted.values()]
            assert max(found) - min(found) <= 1e-6, (name, key, fitted)
            if name != "t":  # t is fitted on 4,096 quantile cells even on exact values (models.continuous.fitting)
                assert found[0] == pytest.approx(value, rel=1e-4, abs=1e-12), (name, key, value, found)


def test_dask_float_column_with_many_values_is_no_longer_refused(tmp_path):
    """The issue's failure ("30,000,000 distinct values; the limit is 100,000"), at test size."""
    from kl_core.cluster import counts_with_dask

    values = np.random.default_rng(12).normal(10.0, 2.0, 150_000)
    pd.DataFrame({"x": values}).to_parquet(tmp_path / "x.parquet", index=False)
    emp = counts_with_dask(tmp_path / "x.parquet", "x", scheduler="sync")
    assert emp.kind == "binned" and emp.sketch.exact and emp.n == values.size
    assert np.array_equal(emp.sketch.values, np.unique(values))
    whole = pd.DataFrame({"n": np.arange(5_000, dtype=float)})  # whole numbers, too many to list: binned, as in memory
    whole.to_parquet(tmp_path / "n.parquet", index=False)
    assert counts_with_dask(tmp_path / "n.parquet", "n", scheduler="sync").kind == Empirical.from_samples(whole["n"]).kind == "binned"


def test_few_distinct_floats_are_counted_exactly_like_in_memory(tmp_path, monkeypatch):
    """More rows than the limit but few distinct values (first pass says so): an exact table, as np.unique gives."""
    from kl_core import sketch
    from kl_core.cluster import counts_with_dask

    monkeypatch.setattr(sketch, "MAX_EXACT_VALUES", 40_000)
    monkeypatch.setattr(sketch, "SAMPLE_VALUES", 1_024)  # so the first pass only samples the 5,000 values
    values = np.random.default_rng(9).integers(0, 5_000, 100_000) / 8.0
    for i in range(3):
        pd.DataFrame({"price": values[i::3]}).to_parquet(tmp_path / f"p{i}.parquet", index=False)
    emp = counts_with_dask(str(tmp_path / "*.parquet"), "price", scheduler="sync")
    in_memory = Empirical.from_samples(values)
    assert emp.sketch.exact and in_memory.sketch.exact and emp.sketch.size == 5_000
    assert np.array_equal(emp.sketch.values, in_memory.sketch.values)
    assert np.array_equal(emp.sketch.counts, in_memory.sketch.counts)


def test_float_column_with_nothing_finite_says_so(tmp_path):
    from kl_core.cluster import counts_with_dask

    pd.DataFrame({"x": [np.nan, np.inf, np.nan]}).to_parquet(tmp_path / "x.parquet", index=False)
    with pytest.raises(DataError, match="missing") as caught:
        counts_with_dask(tmp_path / "x.parquet", "x", scheduler="sync")
    assert "infinite" in str(caught.value)
