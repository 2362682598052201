"""scipy's continuous families fitted by the raw-data maximum likelihood, and their discretised forms.

* :mod:`.catalogue`: which families, their names and parameter domains;
* :mod:`.scipy_bridge`: every private scipy call, checked against a scipy version;
* :mod:`.closed_forms`: MLEs with closed forms or a 1-D root;
* :mod:`.search`: the budgeted numerical search (points or cells);
* :mod:`.fitting`: the fitter, the model (log density, CDF, log CDF, log survival, quantiles)
  and the notes on fits that run to the edge of the parameter space;
* :mod:`.discretised`: ``<family>_discretised`` models for integer data.

Importing :mod:`.registration` registers every family; :data:`kl_core.models.REGISTRY` does
that the first time one of them is needed.
"""

from kl_core.models.continuous.catalogue import CATALOGUE, LABELS, LEFT_OUT, SHORTLIST, THREE_PARAMETER
from kl_core.models.continuous.fitting import ContinuousModel
from kl_core.models.continuous.search import frozen_cell_mass

__all__ = ["CATALOGUE", "DISCRETISED", "LABELS", "LEFT_OUT", "SHORTLIST", "THREE_PARAMETER", "ContinuousModel", "frozen_cell_mass"]


def __getattr__(name: str) -> object:
    if name == "DISCRETISED":  # lives with the registration, which is imported only when asked for
        from kl_core.models.continuous.registration import DISCRETISED

        return DISCRETISED
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
