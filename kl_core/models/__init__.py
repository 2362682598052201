"""The model registry and fitting: ``fit(emp, name, **options) -> FittedModel``.

Importing this package registers every family: the simple models (uniform, binomial),
scipy's discrete and continuous families, and the user's own (a PMF table, a formula,
another dataset).
"""

from kl_core.models.base import FitTimeout, FittedModel, ModelSpec, format_params
from kl_core.models.registry import REGISTRY, default_models, fit, get_spec
from kl_core.models import simple, discrete, continuous, user, mixture, zero_inflated  # noqa: F401  (each registers its families)

__all__ = [
    "REGISTRY", "FitTimeout", "FittedModel", "ModelSpec", "default_models", "fit", "format_params", "get_spec",
]
