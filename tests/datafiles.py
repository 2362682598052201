"""Test files for the reading step (issue 11), generated into a test's tmp_path, never committed large.

* ``discoveries_csv``: R's ``datasets::discoveries`` (great inventions and scientific
  discoveries per year, 1860–1959; McCurdy 1968, via the World Almanac) as (year, discoveries).
  The values are R's, copied here; tests/data/real/discoveries.csv (from the rref branch)
  holds the same 100 numbers.
* ``id_weight_csv``: R's ``datasets::women`` weights (lb) with a running id.
* ``frequency_table``: a 200,000-row (value, count) table, many counts zero, as an analyst's
  export of a histogram would be.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DISCOVERIES = [
    5, 3, 0, 2, 0, 3, 2, 3, 6, 1, 2, 1, 2, 1, 3, 3, 3, 5, 2, 4, 4, 0, 2, 3, 7, 12, 3, 10, 9, 2,
    3, 7, 7, 2, 3, 3, 6, 2, 4, 3, 5, 2, 2, 4, 0, 4, 2, 5, 2, 3, 3, 6, 5, 8, 3, 6, 6, 0, 5, 2,
    2, 2, 6, 3, 4, 4, 2, 2, 4, 7, 5, 3, 3, 0, 2, 2, 2, 1, 3, 4, 2, 2, 1, 1, 1, 2, 1, 4, 4, 3,
    2, 1, 4, 1, 1, 1, 0, 0, 2, 0,
]
WOMEN_WEIGHTS = [115, 117, 120, 123, 126, 129, 132, 135, 139, 142, 146, 150, 154, 159, 164]
TABLE_ROWS = 200_000


def discoveries_frame() -> pd.DataFrame:
    return pd.DataFrame({"year": range(1860, 1960), "discoveries": DISCOVERIES})


def discoveries_csv() -> bytes:
    return discoveries_frame().to_csv(index=False).encode()


def id_weight_csv() -> bytes:
    return pd.DataFrame({"id": range(1, len(WOMEN_WEIGHTS) + 1), "weight": WOMEN_WEIGHTS}).to_csv(index=False).encode()


def frequency_table(rows: int = TABLE_ROWS, seed: int = 11) -> pd.DataFrame:
    """(value, count): values 0..rows-1, Poisson counts whose mean falls from 1.2 to 0.001.

    About 58 % of the counts are zero: the 200,000 rows hold about 83,000 values seen at
    least once, like the table issue 11 was filed with.
    """
    counts = np.random.default_rng(seed).poisson(np.linspace(1.2, 0.001, rows))
    return pd.DataFrame({"value": np.arange(rows), "count": counts})


def frequency_table_csv(rows: int = TABLE_ROWS) -> bytes:
    return frequency_table(rows).to_csv(index=False).encode()
