"""Writing results out: one module per format, shared by the command line and the app.

* :mod:`kl_core.export.csv` -- the ranking table as CSV, safe to open in a spreadsheet (the one CSV writer).
* :mod:`kl_core.export.json_io` -- the whole comparison as strict JSON, read back and rerun.
* :mod:`kl_core.export.snippet` -- a Python script that rebuilds the data and reruns the ranking.
* :mod:`kl_core.export.html` -- a self-contained HTML report with the figures.
* :mod:`kl_core.export.provenance` -- versions and settings every export states.
"""

from kl_core.export.csv import ranking_csv
from kl_core.export.html import MAX_PLOTTED, html_report, report_figures
from kl_core.export.json_io import FORMAT, FORMAT_VERSION, comparison_from_json, comparison_json, rerun_from_json
from kl_core.export.provenance import versions
from kl_core.export.snippet import python_snippet

__all__ = [
    "FORMAT", "FORMAT_VERSION", "MAX_PLOTTED", "comparison_from_json", "comparison_json", "html_report", "python_snippet",
    "ranking_csv", "report_figures", "rerun_from_json", "versions",
]
