"""kl_core.cluster: counts from Dask on a LocalCluster equal pandas' value_counts."""

from __future__ import annotations

import builtins

import numpy as np
import pandas as pd
import pytest

from kl_core import DataError

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
