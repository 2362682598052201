"""Reading Parquet files."""

from __future__ import annotations


import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pa_parquet

from kl_core.errors import DataError
from kl_core.io.frame import Limits, _check_column_count, _finish_frame
from kl_core.io.sniffing import _binary_signature

__all__ = [
    "PARQUET_ERRORS",
]

PARQUET_ERRORS = (pa.ArrowException, OSError, ValueError, TypeError, IndexError)




def _read_parquet(data: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    if not (data.startswith(b"PAR1") and data.endswith(b"PAR1")):
        raise _not_parquet_error(data, filename)
    try:
        parquet_file = pa_parquet.ParquetFile(pa.BufferReader(data))
        _check_column_count(parquet_file.metadata.num_columns, limits)
        table = parquet_file.read()
        frame = table.to_pandas()
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
