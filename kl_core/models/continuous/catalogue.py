"""Which scipy continuous families are offered, what they are called, and their parameter domains.

* :data:`SHORTLIST` families are ticked by default; :data:`CATALOGUE` is every family
  registered (the shortlist plus the rest of ``scipy.stats``); :data:`LEFT_OUT` says why a
  scipy family is missing.
* :data:`THREE_PARAMETER` are the positive-support families that also get a ``<name>_3p``
  entry: by default they are fitted with ``loc = 0`` (R's two-parameter forms), the
  ``_3p`` entry (or the option ``loc="free"``) fits the threshold too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from kl_core.models.continuous import scipy_bridge

__all__ = [
    "CATALOGUE", "LABELS", "LEFT_OUT", "SHORTLIST", "THREE_PARAMETER", "Family", "Transform", "catalogue_names", "family", "positive_support",
]

SHORTLIST: tuple[str, ...] = ("norm", "lognorm", "gamma", "expon", "weibull_min", "logistic", "laplace", "t")

LEFT_OUT: dict[str, str] = {
    "uniform": "registered by the simple models (continuous uniform on the observed [min, max])",
    "ksone": "its shape n is a sample size (a whole number), not something to fit; cdf is slow",
    "kstwo": "its shape n is a sample size (a whole number), not something to fit; cdf is slow",
    "erlang": "its shape is a whole number, which the likelihood cannot fit continuously; use gamma",
    "irwinhall": "its shape n is a whole number of summands, which the likelihood cannot fit continuously",
    "studentized_range": "its cdf is a numerical double integral (about 1 s per evaluation); too slow to fit",
    "norminvgauss": "its cdf is a numerical integral (about 0.1 s per evaluation); too slow to fit",
    "genhyperbolic": "its cdf is a numerical integral (tens of ms per evaluation); too slow to fit",
    "geninvgauss": "its cdf is a numerical integral (tens of ms per evaluation); too slow to fit",
    "levy_stable": "its cdf is a numerical integral; too slow to fit",
    "gausshyper": "its cdf is a numerical integral (about 0.3 s for 500 bins) and it has 6 parameters; too slow to fit",
    "vonmises": "a circular distribution: on the line its cdf is periodic and exceeds 1; use vonmises_line",
    "reciprocal": "the same family as loguniform (an alias), which is registered",
    "nct": "its density is a numerical series (tens of ms per evaluation on 2,000 values): its search ran past "
           "five minutes on a loaded machine; use t or jf_skew_t",
}

LABELS: dict[str, str] = {
    "norm": "Normal", "lognorm": "Log-normal", "gamma": "Gamma", "expon": "Exponential",
    "weibull_min": "Weibull", "weibull_max": "Weibull (maximum)", "logistic": "Logistic",
    "laplace": "Laplace", "t": "Student's t", "cauchy": "Cauchy", "beta": "Beta",
    "betaprime": "Beta prime", "chi": "Chi", "chi2": "Chi-squared", "f": "F", "gumbel_r": "Gumbel (right)",
    "gumbel_l": "Gumbel (left)", "genextreme": "Generalised extreme value", "genpareto": "Generalised Pareto",
    "pareto": "Pareto", "lomax": "Lomax (Pareto II)", "invgamma": "Inverse gamma", "invgauss": "Inverse Gaussian",
    "wald": "Wald", "rayleigh": "Rayleigh", "rice": "Rice", "maxwell": "Maxwell", "nakagami": "Nakagami",
    "halfnorm": "Half-normal", "halfcauchy": "Half-Cauchy", "halflogistic": "Half-logistic",
    "foldnorm": "Folded normal", "foldcauchy": "Folded Cauchy", "skewnorm": "Skew normal",
    "exponnorm": "Exponentially modified normal", "exponweib": "Exponentiated Weibull",
    "exponpow": "Exponential power", "gennorm": "Generalised normal", "halfgennorm": "Half generalised normal",
    "gengamma": "Generalised gamma", "genlogistic": "Generalised logistic", "loggamma": "Log-gamma",
    "loglaplace": "Log-Laplace", "fisk": "Fisk (log-logistic)", "burr": "Burr (type III)", "burr12": "Burr (type XII)",
    "johnsonsu": "Johnson SU", "johnsonsb": "Johnson SB", "triang": "Triangular", "trapezoid": "Trapezoidal",
    "truncnorm": "Truncated normal", "truncexpon": "Truncated exponential", "truncpareto": "Truncated Pareto",
    "truncweibull_min": "Truncated Weibull", "loguniform": "Log-uniform", "powerlaw": "Power law",
    "powerlognorm": "Power log-normal", "powernorm": "Power normal", "pearson3": "Pearson type III",
    "hypsecant": "Hyperbolic secant", "levy": "Lévy", "levy_l": "Lévy (left)", "moyal": "Moyal",
    "gompertz": "Gompertz", "invweibull": "Inverse Weibull (Fréchet)", "dweibull": "Double Weibull",
    "dgamma": "Double gamma", "laplace_asymmetric": "Asymmetric Laplace", "ncx2": "Non-central chi-squared",
    "ncf": "Non-central F", "nct": "Non-central t", "fatiguelife": "Fatigue life (Birnbaum–Saunders)",
    "semicircular": "Semicircular", "arcsine": "Arcsine", "anglit": "Anglit", "cosine": "Cosine",
    "bradford": "Bradford", "kappa3": "Kappa 3", "kappa4": "Kappa 4", "mielke": "Mielke beta-kappa",
    "tukeylambda": "Tukey lambda", "vonmises_line": "von Mises (on the line)", "wrapcauchy": "Wrapped Cauchy",
    "crystalball": "Crystal Ball", "argus": "ARGUS", "rdist": "R-distribution", "kstwobign": "Kolmogorov limit",
    "alpha": "Alpha", "gibrat": "Gibrat", "genexpon": "Generalised exponential", "genhalflogistic": "Generalised half-logistic",
    "gausshyper": "Gauss hypergeometric", "recipinvgauss": "Reciprocal inverse Gaussian", "skewcauchy": "Skew Cauchy",
    "jf_skew_t": "Jones–Faddy skew t", "landau": "Landau", "rel_breitwigner": "Relativistic Breit–Wigner",
    "dpareto_lognorm": "Double Pareto log-normal",
}

_TINY = 1e-300


@dataclass(frozen=True)
class Transform:
    """Maps one parameter between its domain and the real line."""

    kind: str  # "identity", "lower", "upper", "interval"
    low: float = 0.0
    high: float = 0.0

    def forward(self, value: float) -> float:  # domain → unconstrained
        if self.kind == "identity":
            return value
        if self.kind == "lower":
            return math.log(max(value - self.low, 1e-10 * max(1.0, abs(self.low))))
        if self.kind == "upper":
            return math.log(max(self.high - value, 1e-10 * max(1.0, abs(self.high))))
        frac = min(max((value - self.low) / (self.high - self.low), 1e-9), 1 - 1e-9)
        return math.log(frac / (1 - frac))

    def backward(self, u: float) -> float:  # unconstrained → domain
        if self.kind == "identity":
            return u
        if self.kind == "lower":
            return self.low + math.exp(min(u, 700.0))
        if self.kind == "upper":
            return self.high - math.exp(min(u, 700.0))
        return self.low + (self.high - self.low) / (1.0 + math.exp(-max(min(u, 700.0), -700.0)))


def _transform_for(low: float, high: float) -> Transform:
    low = 0.0 if 0 < low <= _TINY else float(low)
    if math.isinf(low) and math.isinf(high):
        return Transform("identity")
    if math.isinf(high):
        return Transform("lower", low=low)
    if math.isinf(low):
        return Transform("upper", high=float(high))
    return Transform("interval", low=low, high=float(high))


@dataclass(frozen=True)
class Family:
    """A scipy family with a transform mapping each parameter to the real line."""

    name: str
    dist: stats.rv_continuous
    shape_names: tuple[str, ...]
    transforms: dict[str, Transform]

    @property
    def parameters(self) -> tuple[str, ...]:
        return (*self.shape_names, "loc", "scale")


def family(name: str) -> Family:
    """The family ``name`` of scipy.stats with a transform for each parameter's domain."""
    dist = getattr(stats, name)
    info = scipy_bridge.shape_domains(dist)
    transforms = {shape: _transform_for(low, high) for shape, low, high in info}
    transforms["loc"] = Transform("identity")
    transforms["scale"] = Transform("lower", low=0.0)
    return Family(name, dist, tuple(shape for shape, _, _ in info), transforms)


def catalogue_names() -> list[str]:
    """scipy's continuous families offered besides the shortlist, in scipy's order."""
    names = []
    for name in scipy_bridge.continuous_names():
        if name in LEFT_OUT or name in SHORTLIST:
            continue
        if isinstance(getattr(stats, name, None), stats.rv_continuous):
            names.append(name)
    return names


CATALOGUE: tuple[str, ...] = (*SHORTLIST, *catalogue_names())


def positive_support(fam: Family) -> bool:
    """Whether the family's standard support is [0, ∞) for its plain shapes (so loc = 0 is its 2-parameter form)."""
    for probe in (0.0, 0.5, -0.5):
        shapes = [fam.transforms[name].backward(probe) for name in fam.shape_names]
        if scipy_bridge.valid_shapes(fam.dist, shapes):
            low, high = scipy_bridge.support(fam.dist, shapes)
            return low == 0 and math.isinf(high)
    return False


THREE_PARAMETER: tuple[str, ...] = ("lognorm", "gamma", "expon", "weibull_min")
