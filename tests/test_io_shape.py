"""kl_core.io.shape: the reading guess (index columns, frequency tables), pasted text, text amid numbers."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from kl_core import DataError, to_empirical
from kl_core.io import read_table
from kl_core.io.shape import describe, drop_text_rows, guess_reading, index_reason, parse_pasted, text_cells
from tests.datafiles import DISCOVERIES, WOMEN_WEIGHTS, discoveries_csv, frequency_table, id_weight_csv


def test_discoveries_read_as_one_observation_per_year():
    frame = read_table(discoveries_csv(), "discoveries.csv")
    guess = guess_reading(frame)
    assert guess.options["column"] == "discoveries" and guess.options["shape"] == "observations"
    assert guess.text == ("Reading `discoveries`, one observation per row; "
                          "`year` looks like an index: 1860–1959, one row each.")
    emp = to_empirical(frame, **{k: guess.options[k] for k in ("column", "shape", "weight_column")})
    assert emp.n == 100 and emp.mean() == pytest.approx(3.1)  # R: mean(discoveries) = 3.1


def test_discoveries_alternative_is_years_weighted_by_discoveries():
    guess = guess_reading(read_table(discoveries_csv(), "discoveries.csv"))
    assert guess.alternative == {"column": "year", "shape": "counts", "weight_column": "discoveries", "kind": "auto", "bins": "auto"}
    assert describe(guess.alternative) == "a value + count table of `year` (`discoveries` = count)"


def test_id_weight_reads_the_weights():
    frame = read_table(id_weight_csv(), "women.csv")
    guess = guess_reading(frame)
    assert guess.options["column"] == "weight" and guess.options["shape"] == "observations"
    assert "`id` looks like an index: 1–15" in guess.reason
    assert to_empirical(frame, "weight").support.tolist() == [float(w) for w in WOMEN_WEIGHTS]


def test_worm_teeth_table_is_still_a_frequency_table():
    frame = pd.DataFrame({"teeth": range(11), "worms": [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7]})
    guess = guess_reading(frame)
    assert (guess.options["shape"], guess.options["column"], guess.options["weight_column"]) == ("counts", "teeth", "worms")
    assert guess.alternative["column"] == "worms" and guess.alternative["shape"] == "observations"


def test_frequency_table_needs_whole_counts():
    frame = pd.DataFrame({"size": [3, 5, 9], "mass": [1.5, 2.25, 0.5]})  # fractions that do not sum to 1
    assert guess_reading(frame).options == {"column": "size", "shape": "observations", "weight_column": None,
                                            "kind": "auto", "bins": "auto"}


def test_frequency_table_needs_distinct_values():
    frame = pd.DataFrame({"x": [1, 1, 2], "n": [3, 4, 5]})
    assert guess_reading(frame).options["shape"] == "observations"


def test_probability_table():
    assert guess_reading(pd.DataFrame({"t": [1, 2], "p": [0.25, 0.75]})).options["shape"] == "probabilities"


def test_large_table_is_a_frequency_table():
    guess = guess_reading(frequency_table(5_000))
    assert (guess.options["column"], guess.options["shape"]) == ("value", "counts")


@pytest.mark.parametrize(("values", "name", "is_index"), [
    (range(1860, 1960), "year", True),
    (range(1001, 1101), "patient", True),   # starts past its own length: a numbered id
    (range(0, 50, 5), "row", True),
    ([5, 1, 3, 2, 4], "ID", True),          # order does not matter
    (range(11), "teeth", False),            # a count's values
    ([1860, 1861, 1863], "year", False),    # a gap: not evenly spaced
    ([1.5, 2.5, 3.5], "id", False),         # not whole
    ([1, 2], "id", False),                  # too short to tell
    ([1, 1, 2], "id", False),               # not distinct
])
def test_index_reason(values, name, is_index):
    assert (index_reason(pd.Series(list(values)), name) is not None) is is_index


def test_index_reason_for_text_is_none():
    assert index_reason(pd.Series(["a", "b", "c"]), "id") is None


def test_every_index_column_is_skipped_in_a_wide_table():
    frame = pd.DataFrame({"id": range(1, 21), "year": range(2000, 2020), "height": np.linspace(150, 190, 20)})
    guess = guess_reading(frame)
    assert guess.options["column"] == "height"
    assert "`id` looks like an index" in guess.reason and "`year` looks like an index" in guess.reason


def test_no_columns():
    assert guess_reading(pd.DataFrame()).options["column"] == ""


def test_parse_pasted_refuses_too_long_text():
    with pytest.raises(DataError, match="longer than"):
        parse_pasted("1 " * 1_000_001)


def test_text_cells_names_the_text_and_skips_missing_words():
    mask, examples = text_cells(pd.Series(["3", "ten", " ", "NA", "2,5", "oops", "ten", "1", "4", "5"]))
    assert mask.tolist() == [False, True, False, False, False, True, True, False, False, False]
    assert examples == ["ten", "oops"]


def test_text_cells_in_a_numeric_or_mostly_text_column_are_none():
    assert not text_cells(pd.Series([1.0, 2.0]))[0].any()
    assert not text_cells(pd.Series(["H", "T", "T", "4"]))[0].any()


def test_to_empirical_drops_text_rows_and_counts_them():
    frame = read_table(b"n\n1\n2\nten\n2\n?\n3\n", "n.csv")
    with pytest.raises(DataError, match="not numbers"):
        to_empirical(frame, "n")
    emp = to_empirical(frame, "n", drop_text=True)
    assert emp.n == 4 and emp.support.tolist() == [1.0, 2.0, 3.0]
    assert dict(emp.dropped) == {"text in a number column (e.g. 'ten', '?')": 2}


def test_to_empirical_drops_text_in_a_count_column():
    frame = pd.DataFrame({"v": [0, 1, 2, 3], "n": ["4", "five", "6", "1"]})
    emp = to_empirical(frame, "v", shape="counts", drop_text=True)
    assert emp.support.tolist() == [0.0, 2.0, 3.0] and emp.n == 11
    assert sum(emp.dropped.values()) == 1


def test_drop_text_rows_without_text_changes_nothing():
    frame = pd.DataFrame({"n": [1, 2]})
    kept, _, count = drop_text_rows(frame, ["n"])
    assert count == 0 and kept is frame


def test_pasted_csv_roundtrip_through_read_table():
    text = io.StringIO("year,discoveries\n" + "".join(f"{1860 + i},{d}\n" for i, d in enumerate(DISCOVERIES)))
    frame = read_table(text.getvalue().encode(), "d.csv")
    assert guess_reading(frame).options["column"] == "discoveries"


def test_a_date_column_labels_the_rows_and_the_measurement_is_read():
    # R's fitdistrplus::danishuni as saved by write.csv: (Date, Loss); the Danish fire losses are the data.
    from tests.reference_data import REAL

    frame = read_table((REAL / "danishuni.csv").read_bytes(), "danishuni.csv")
    guess = guess_reading(frame)
    assert guess.options["column"] == "Loss" and guess.options["shape"] == "observations"
    assert "`Date` holds dates or times (1980-01-03 to 1990-12-31)" in guess.reason
    assert guess.alternative is not None and guess.alternative["column"] == "Date"


def test_dates_with_counts_read_the_counts_as_a_year_column_does():
    frame = pd.DataFrame({"day": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]), "calls": [4, 0, 7]})
    guess = guess_reading(frame)
    assert guess.options["column"] == "calls" and guess.options["shape"] == "observations"
    assert guess.alternative == {"column": "day", "shape": "counts", "weight_column": "calls", "kind": "auto", "bins": "auto"}


def test_a_table_of_dates_alone_is_still_read():
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    assert guess_reading(frame).options["column"] == "when"
