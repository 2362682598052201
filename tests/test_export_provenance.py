"""kl_core.export.provenance: the versions, bootstrap run and model order every export states."""

from kl_core import Empirical, compare
from kl_core.export.provenance import bootstrap_count, ordered_models, versions


def _teeth() -> Empirical:
    return Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])


def test_versions_name_every_library_that_computed_the_numbers():
    import numpy
    import scipy

    found = versions()
    assert found["numpy"] == numpy.__version__ and found["scipy"] == scipy.__version__
    assert all(isinstance(value, str) and value for value in found.values())


def test_bootstrap_count_is_none_without_a_bootstrap_and_the_resamples_with_one():
    assert bootstrap_count(compare(_teeth(), ["binomial"])) is None
    assert bootstrap_count(compare(_teeth(), ["binomial", "poisson"], bootstrap=30)) == 30


def test_ordered_models_follow_the_ranking_and_skip_failed_fits():
    comparison = compare(_teeth(), ["norm", "binomial", "uniform", "poisson"])  # norm does not apply to counts
    assert list(ordered_models(comparison)) == ["poisson", "uniform", "binomial"]
    assert comparison.table["model"].tolist()[-1] == "norm"
