"""kl_core.sketched: a sketch read in chunks equals the in-memory one; display bins come from the sketch."""

from __future__ import annotations

import numpy as np
import pytest

from kl_core.empirical import Empirical
from kl_core.sketch import ValueSketch
from kl_core.sketched import empirical_from_sketch, sketch_from_chunks


def test_chunks_in_any_order_give_the_in_memory_sketch():
    x = np.random.default_rng(3).weibull(1.5, 90_000) * 4.0
    order = np.random.default_rng(4).permutation(x.size)

    def chunks():
        return (x[order[i:i + 6_000]] for i in range(0, x.size, 6_000))

    sketch = sketch_from_chunks(chunks, lambda limit: pytest.fail("no exact table for 90,000 distinct values"), max_exact=5_000)
    reference = ValueSketch.from_values(x, max_exact=5_000)
    assert np.array_equal(sketch.edges, reference.edges) and np.array_equal(sketch.cell_counts, reference.cell_counts)
    np.testing.assert_allclose(sketch.cell_sums, reference.cell_sums, rtol=1e-12)
    assert sketch.moments.mean == pytest.approx(x.mean(), rel=1e-13)


def test_exact_sketch_keeps_the_in_memory_display_bins():
    x = np.random.default_rng(5).normal(size=3_000)
    emp = empirical_from_sketch(ValueSketch.from_values(x), "x", {"missing": 2})
    reference = Empirical.from_samples(x)
    assert np.array_equal(emp.edges, reference.edges) and np.array_equal(emp.counts, reference.counts)
    assert emp.sketch.exact and dict(emp.dropped) == {"missing": 2} and emp.n == 3_000


def test_fine_sketch_on_given_edges_counts_every_value():
    x = np.random.default_rng(6).gamma(2.0, size=20_000)
    sketch = ValueSketch.from_values(x, max_exact=1_000)
    edges = np.array([0.0, 1.0, 2.0, 5.0, float(np.ceil(x.max()))])
    emp = empirical_from_sketch(sketch, "x", edges=edges)
    assert emp.counts.sum() == x.size and emp.k == 4
    assert np.abs(emp.counts - np.histogram(x, edges)[0]).max() <= 0.001 * x.size  # a cell cut by an edge counts on one side
