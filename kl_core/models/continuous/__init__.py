"""scipy's continuous families fitted by the raw-data maximum likelihood, and their discretised forms.

* :mod:`.catalogue`: which families, their names and parameter domains;
* :mod:`.scipy_bridge`: every private scipy call, checked against a scipy version;
* :mod:`.closed_forms`: MLEs with closed forms or a 1-D root;
* :mod:`.search`: the budgeted numerical search (points or cells);
* :mod:`.fitting`: the fitter, the model (log density, CDF, log CDF, log survival, quantiles)
  and the notes on fits that run to the edge of the parameter space;
* :mod:`.discretised`: ``<family>_discretised`` models for integer data.

Importing this package registers every family.
"""

from kl_core.models.continuous.catalogue import CATALOGUE, LABELS, LEFT_OUT, SHORTLIST, THREE_PARAMETER
from kl_core.models.continuous.fitting import ContinuousModel
from kl_core.models.continuous.search import frozen_cell_mass
from kl_core.models.continuous import registration  # noqa: F401  (registers the families)
from kl_core.models.continuous.registration import DISCRETISED

__all__ = ["CATALOGUE", "DISCRETISED", "LABELS", "LEFT_OUT", "SHORTLIST", "THREE_PARAMETER", "ContinuousModel", "frozen_cell_mass"]
