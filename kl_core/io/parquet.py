"""Reading Parquet files.

The footer says how many rows and which column types the file holds, so a file
that would exceed the row limit or the memory budget (:data:`MAX_TABLE_BYTES`,
estimated from the types) is refused before a single page is decoded: 541 KB of
Parquet can declare 300 million null integers, 2.4 GB once read.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pa_parquet

from kl_core.errors import DataError
from kl_core.io.arrow_frame import frame_from_arrow
from kl_core.io.frame import AGGREGATE_ADVICE, Limits, _check_column_count, _finish_frame, _human_size
from kl_core.io.sniffing import _binary_signature

__all__ = [
    "MAX_TABLE_BYTES",
    "PARQUET_ERRORS",
    "estimated_table_bytes",
]

PARQUET_ERRORS = (pa.ArrowException, OSError, ValueError, TypeError, IndexError)
MAX_TABLE_BYTES = 2**30
_OBJECT_CELL_BYTES = 8  # a pandas object column holds one pointer per cell, plus the values' own bytes

def _read_parquet(data: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    if not (data.startswith(b"PAR1") and data.endswith(b"PAR1")):
        raise _not_parquet_error(data, filename)
    try:
        parquet_file = pa_parquet.ParquetFile(pa.BufferReader(data))
        _check_footer(parquet_file, limits)
        frame = frame_from_arrow([parquet_file.read()])  # numeric columns: no second copy
    except DataError:
        raise
    except PARQUET_ERRORS as error:
        raise DataError(
            f"The Parquet file {filename!r} is damaged or incomplete and could not be read "
            f"({str(error).strip()[:200]}). Upload it again or write it again."
        ) from error
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    return _finish_frame(frame, list(frame.columns))


def _check_footer(parquet_file: pa_parquet.ParquetFile, limits: Limits) -> None:
    metadata = parquet_file.metadata
    _check_column_count(metadata.num_columns, limits)
    if metadata.num_rows > limits.max_rows:
        raise DataError(
            f"The file has {metadata.num_rows:,} rows; the limit is {limits.max_rows:,}. {AGGREGATE_ADVICE}"
        )
    needed = estimated_table_bytes(parquet_file)
    if needed > MAX_TABLE_BYTES:
        raise DataError(
            f"The file's {metadata.num_rows:,} rows would take about {_human_size(needed)} of memory once read; "
            f"the limit is {_human_size(MAX_TABLE_BYTES)}. Keep only the columns you need. {AGGREGATE_ADVICE}"
        )


def estimated_table_bytes(parquet_file: pa_parquet.ParquetFile) -> int:
    """Memory the table will take once read, from the footer: fixed-width columns by
    their type, the others by their uncompressed size.

    Examples
    --------
    >>> import io
    >>> buffer = io.BytesIO()
    >>> pa_parquet.write_table(pa.table({"x": pa.array(range(1000), pa.int64())}), buffer)
    >>> estimated_table_bytes(pa_parquet.ParquetFile(pa.BufferReader(buffer.getvalue())))
    8000
    """
    metadata = parquet_file.metadata
    total = 0
    for position, field in enumerate(parquet_file.schema_arrow):
        try:
            total += metadata.num_rows * max(field.type.bit_width // 8, 1)
        except ValueError:  # variable width: strings, lists, ...
            total += metadata.num_rows * _OBJECT_CELL_BYTES + sum(
                metadata.row_group(group).column(position).total_uncompressed_size
                for group in range(metadata.num_row_groups)
                if position < metadata.row_group(group).num_columns
            )
    return total


def _not_parquet_error(data: bytes, filename: str) -> DataError:
    signature = _binary_signature(data)
    if signature is not None and signature[0] != "a Parquet file":
        kind, advice = signature
        return DataError(f"{filename!r} is {kind}, not a Parquet file. {advice}")
    return DataError(
        f"{filename!r} is not a complete Parquet file: it does not start and end with the "
        "Parquet marker 'PAR1', so it is truncated or in another format. "
        "Upload it again or write it again."
    )
