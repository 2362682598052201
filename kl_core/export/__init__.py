"""Writing results out: one writer per format, shared by the command line and the app.

* :mod:`kl_core.export.csv` -- the ranking table as CSV, safe to open in a spreadsheet.
"""

from kl_core.export.csv import ranking_csv

__all__ = ["ranking_csv"]
