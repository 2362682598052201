"""An Arrow table (as the CSV and Parquet readers return it) to a pandas DataFrame, without a second copy.

``table.to_pandas()`` joins each column's chunks (one per block the reader parsed in
parallel) into one numpy array while every chunk is still held: for a moment the column
is in memory twice (10^7 floats: 80 MB more at the peak of an upload). Here columns of
plain numbers are joined chunk by chunk in two threads, each chunk released once it is
copied; any other table goes through ``to_pandas`` as before.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["frame_from_arrow"]

_WORKERS = 2


def frame_from_arrow(tables: list[pa.Table]) -> pd.DataFrame:
    """The DataFrame ``tables[0].to_pandas(split_blocks=True, self_destruct=True)`` would give, taking
    the table out of ``tables`` (so that nothing else holds it and each chunk is freed once copied).

    Examples
    --------
    >>> table = pa.concat_tables([pa.table({"x": [1, 2], "y": [0.5, None]}), pa.table({"x": [3], "y": [1.5]})])
    >>> frame = frame_from_arrow([table])
    >>> frame["x"].tolist(), frame["y"].tolist(), frame.dtypes.astype(str).tolist()
    ([1, 2, 3], [0.5, nan, 1.5], ['int64', 'float64'])
    """
    table = tables.pop()
    if not _plain_numbers(table):
        return table.to_pandas(split_blocks=True, self_destruct=True)
    names, rows = table.column_names, table.num_rows
    columns = [list(column.chunks) for column in table.columns]
    types = [column.type for column in table.columns]
    del table  # the chunks lists now hold the only references
    arrays = {name: _joined(chunks, kind.to_pandas_dtype(), rows) for name, chunks, kind in zip(names, columns, types)}
    return pd.DataFrame(arrays, copy=False)


def _plain_numbers(table: pa.Table) -> bool:
    """Integer columns without nulls and float32/64 columns (nulls become NaN), under distinct names."""
    if len(set(table.column_names)) != table.num_columns:
        return False
    for column in table.columns:
        kind = column.type
        if not ((pa.types.is_integer(kind) and column.null_count == 0) or pa.types.is_float32(kind) or pa.types.is_float64(kind)):
            return False
    return True


def _joined(chunks: list[pa.Array], dtype: np.dtype, rows: int) -> np.ndarray:
    """The chunks as one numpy array, each chunk dropped from ``chunks`` once copied."""
    if len(chunks) == 1:
        return chunks.pop().to_numpy(zero_copy_only=False)  # one chunk: shared with Arrow, as to_pandas does
    # In Arrow's memory pool, as to_pandas allocates: it reuses what the reader's parse buffers freed.
    joined = np.frombuffer(pa.allocate_buffer(rows * np.dtype(dtype).itemsize), dtype=dtype)
    offsets = np.cumsum([0] + [len(chunk) for chunk in chunks])

    def copy(positions: range) -> None:
        for position in positions:
            chunk, chunks[position] = chunks[position], None
            np.copyto(joined[offsets[position]:offsets[position + 1]], chunk.to_numpy(zero_copy_only=False))

    # Each worker copies one run of neighbouring chunks (not a task per chunk: a 10M-row
    # CSV has ~175 chunks, and their futures cost more than the copying).
    bounds = np.linspace(0, len(chunks), _WORKERS + 1).astype(int)
    with ThreadPoolExecutor(_WORKERS, thread_name_prefix="kl_arrow_frame") as pool:
        list(pool.map(copy, [range(start, stop) for start, stop in zip(bounds[:-1], bounds[1:])]))
    return joined
