"""kl_core.io.arrow_frame: the same DataFrame as pyarrow's to_pandas, numeric columns joined without a second copy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kl_core.io.arrow_frame import frame_from_arrow


def _chunked(columns: dict[str, pa.Array], pieces: int = 5) -> pa.Table:
    table = pa.table(columns)
    size = -(-table.num_rows // pieces)
    return pa.concat_tables([table.slice(start, size) for start in range(0, table.num_rows, size)])


rng = np.random.default_rng(0)
TABLES = {
    "ints and floats": lambda: _chunked({"count": pa.array(rng.poisson(4.0, 1_000)), "hours": pa.array(rng.gamma(2.0, size=1_000))}),
    "narrow types": lambda: _chunked({"small": pa.array(rng.integers(-100, 100, 999), pa.int8()),
                                      "single": pa.array(rng.random(999), pa.float32())}),
    "floats with nulls": lambda: _chunked({"x": pa.array([None if i % 7 == 0 else i / 3 for i in range(500)], pa.float64())}),
    "one chunk": lambda: pa.table({"x": pa.array(np.arange(100))}),
    "no rows": lambda: pa.table({"x": pa.array([], pa.int64())}),
    "ints with nulls (to_pandas)": lambda: _chunked({"x": pa.array([None, *range(99)], pa.int64())}),
    "text (to_pandas)": lambda: _chunked({"x": pa.array(range(100)), "label": pa.array([str(i) for i in range(100)])}),
    "repeated names (to_pandas)": lambda: _chunked({"x": pa.array(range(100))}).append_column("x", pa.array(np.arange(100.0))),
}


@pytest.mark.parametrize("name", list(TABLES))
def test_frame_equals_to_pandas(name):
    table = TABLES[name]()
    expected = table.to_pandas(split_blocks=True)
    tables = [table]
    del table
    frame = frame_from_arrow(tables)
    assert tables == []  # taken, so that its chunks are freed as they are copied
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert list(frame.dtypes) == list(expected.dtypes) and isinstance(frame.index, pd.RangeIndex)


def test_many_chunks_are_joined_in_order():
    values = rng.normal(size=100_003)
    frame = frame_from_arrow([_chunked({"x": pa.array(values)}, pieces=37)])
    assert frame["x"].to_numpy().tobytes() == values.tobytes()
