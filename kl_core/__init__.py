"""KL Model Lab's engine: fit candidate distributions to data and rank them by KL divergence.

>>> from kl_core import Empirical, rank
>>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
>>> rank(teeth, ["uniform", "binomial"])["model"].tolist()
['uniform', 'binomial']

``import kl_core`` loads none of pandas, scipy or the model catalogue: each public name
is imported the first time it is used (PEP 562), so the command line's ``--help`` and a
script that only reads data do not pay for what they never call.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kl_core.errors import DataError

if TYPE_CHECKING:  # what the lazy names resolve to, for type checkers and editors
    from kl_core.empirical import Empirical, to_empirical
    from kl_core.measures import cross_entropy, entropy, js_divergence, kl_contributions, kl_divergence
    from kl_core.models import REGISTRY, FittedModel, fit
    from kl_core.ranking import Comparison, compare, rank, verdict

_LAZY = {  # public name -> the module that defines it
    "Empirical": "kl_core.empirical", "to_empirical": "kl_core.empirical",
    "cross_entropy": "kl_core.measures", "entropy": "kl_core.measures", "js_divergence": "kl_core.measures",
    "kl_contributions": "kl_core.measures", "kl_divergence": "kl_core.measures",
    "REGISTRY": "kl_core.models", "FittedModel": "kl_core.models", "fit": "kl_core.models",
    "Comparison": "kl_core.ranking", "compare": "kl_core.ranking", "rank": "kl_core.ranking", "verdict": "kl_core.ranking",
}

__all__ = [
    "REGISTRY", "Comparison", "DataError", "Empirical", "FittedModel", "compare", "cross_entropy", "entropy",
    "fit", "js_divergence", "kl_contributions", "kl_divergence", "rank", "to_empirical", "verdict",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and cache the name here.

    Examples
    --------
    >>> import kl_core
    >>> kl_core.Empirical.__module__
    'kl_core.empirical'
    """
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if not name.startswith("_"):  # a submodule, as `kl_core.ranking` was before the names became lazy
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
