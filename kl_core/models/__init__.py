"""The model registry and fitting: ``fit(emp, name, **options) -> FittedModel``.

The families are registered by their own modules: the simple models (uniform, binomial),
scipy's discrete and continuous families, yours (a PMF table, a formula, another dataset)
and the mixtures. :data:`REGISTRY` imports each module the first time one of its families
is needed (:mod:`kl_core.models.registry`), so fitting counts never loads the continuous
catalogue.
"""

from kl_core.models.base import FitTimeout, FittedModel, ModelSpec, format_params
from kl_core.models.registry import REGISTRY, default_models, fit, get_spec

__all__ = [
    "REGISTRY", "FitTimeout", "FittedModel", "ModelSpec", "default_models", "fit", "format_params", "get_spec",
]
