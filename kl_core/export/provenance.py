"""What produced a comparison: library versions, the bootstrap run, the models in ranking order.

Shared by every export (JSON, snippet, HTML) so that each file states the same facts.
"""

from __future__ import annotations

import platform
from typing import Any

import numpy as np
import pandas as pd

from kl_core.ranking import Comparison

__all__ = ["BOOTSTRAP_SEED", "bootstrap_count", "ordered_models", "versions"]

BOOTSTRAP_SEED = 0  # the seed kl_core.compare uses by default (and the app never changes)


def versions() -> dict[str, str]:
    """Versions of kl_core and the libraries that computed the numbers.

    Examples
    --------
    >>> sorted(versions())
    ['kl_core', 'numpy', 'pandas', 'plotly', 'python', 'scipy']
    """
    import scipy

    import kl_core

    try:
        import plotly

        plotly_version = plotly.__version__
    except ImportError:  # pragma: no cover - plotly is a dependency
        plotly_version = "not installed"
    return {
        "kl_core": kl_core.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
        "pandas": pd.__version__, "plotly": plotly_version, "python": platform.python_version(),
    }


def bootstrap_count(comparison: Comparison) -> int | None:
    """How many bootstrap resamples the comparison's KL intervals came from (None: no bootstrap ran).

    Examples
    --------
    >>> from kl_core import Empirical, compare
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> bootstrap_count(compare(teeth, ["binomial"])), bootstrap_count(compare(teeth, ["binomial"], bootstrap=20))
    (None, 20)
    """
    table = comparison.table
    if "kl_low" not in table.columns:
        return None
    done = table.attrs.get("bootstrap_resamples")
    return int(done) if done is not None else None


def ordered_models(comparison: Comparison) -> dict[str, Any]:
    """Fitted models in ranking order (the order every figure gets them in).

    Examples
    --------
    >>> from kl_core import Empirical, compare
    >>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
    >>> list(ordered_models(compare(teeth, ["binomial", "uniform"])))
    ['uniform', 'binomial']
    """
    return {str(key): comparison.fitted[key] for key in comparison.table["model"] if key in comparison.fitted}
