"""KL Model Lab's engine: fit candidate distributions to data and rank them by KL divergence.

>>> from kl_core import Empirical, rank
>>> teeth = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])
>>> rank(teeth, ["uniform", "binomial"])["model"].tolist()
['uniform', 'binomial']
"""

from kl_core.empirical import Empirical, to_empirical
from kl_core.errors import DataError
from kl_core.measures import cross_entropy, entropy, js_divergence, kl_contributions, kl_divergence
from kl_core.models import REGISTRY, FittedModel, fit
from kl_core.ranking import Comparison, compare, rank, verdict

__all__ = [
    "REGISTRY", "Comparison", "DataError", "Empirical", "FittedModel", "compare", "cross_entropy", "entropy",
    "fit", "js_divergence", "kl_contributions", "kl_divergence", "rank", "to_empirical", "verdict",
]
__version__ = "0.1.0"
