"""kl_core.export.csv: the one ranking CSV, safe in a spreadsheet, numbers kept numeric."""

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest

from kl_core import Empirical, compare
from kl_core.export.csv import ranking_csv
from tests import comparisons


@pytest.fixture(scope="module")
def worms():
    return comparisons.worms()


def test_csv_neutralises_formulas_but_keeps_numbers_numeric():
    table = pd.DataFrame({
        "model": ["=SUM(A1:A2)", "+1", "-x", "@cmd", "\tx", "\rx", " =1", "plain"],
        "loglik": [-239.79, -1.0, float("-inf"), 0.0, 1.5, float("nan"), 2.0, 3.0],
        "kl": [0.1, float("inf"), 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
    })
    rows = list(csv.reader(io.StringIO(ranking_csv(table))))
    assert rows[0] == ["model", "loglik", "kl"]
    assert [r[0] for r in rows[1:]] == ["'=SUM(A1:A2)", "'+1", "'-x", "'@cmd", "'\tx", "'\rx", "' =1", "plain"]
    assert rows[1][1] == "-239.79" and float(rows[1][1]) == -239.79  # a genuine negative number stays a number
    assert rows[2][2] == "inf"
    assert rows[6][1] == ""  # NaN: an empty cell


def test_csv_of_a_real_ranking(worms):
    text = ranking_csv(worms.table)
    frame = pd.read_csv(io.StringIO(text))
    assert frame["model"].tolist() == worms.table["model"].tolist()
    assert np.allclose(frame["kl"], worms.table["kl"], rtol=0, atol=1e-15)
    assert np.allclose(frame["loglik"], worms.table["loglik"], rtol=0, atol=1e-9)
    assert pd.api.types.is_float_dtype(frame["loglik"]) and (frame["loglik"] < 0).all()
    assert json.loads(frame.loc[frame["model"] == "binomial", "params"].iloc[0]) == {"n": 10, "p": pytest.approx(0.544)}


def test_csv_infinite_kl_and_user_labels():
    emp = Empirical.from_counts([0, 1, 2], [5, 3, 2])
    custom = ("custom", {"values": [0, 1], "weights": [1, 1], "label": "=HYPERLINK(\"http://evil\")"})
    table = compare(emp, ["uniform", custom]).table
    rows = {r["model"]: r for r in csv.DictReader(io.StringIO(ranking_csv(table)))}
    assert rows["custom"]["kl"] == "inf"
    assert rows["custom"]["label"].startswith("'=")
    assert rows["custom"]["loglik"] == "-inf"
