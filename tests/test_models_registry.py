"""kl_core/models/registry.py: how the Models page's catalogue is split and what "the whole catalogue" ticks."""

from __future__ import annotations

from kl_core.models import REGISTRY
from kl_core.models.continuous import CATALOGUE, SHORTLIST
from kl_core.models.registry import catalogue_split, whole_catalogue
from kl_core.samples import SAMPLES


def test_the_split_keeps_every_name_once_in_order():
    names = list(REGISTRY)
    up_front, rest = catalogue_split(names)
    assert sorted(up_front + rest) == sorted(names)
    assert up_front == [n for n in names if n in up_front] and rest == [n for n in names if n in rest]


def test_the_shortlist_and_everything_outside_the_catalogue_come_first():
    up_front, rest = catalogue_split(list(REGISTRY))
    assert set(SHORTLIST) <= set(up_front) and {"uniform", "binomial", "poisson", "custom"} <= set(up_front)
    assert rest and set(rest) <= set(CATALOGUE) - set(SHORTLIST)


def test_the_whole_catalogue_is_what_applies_to_the_data():
    waiting = SAMPLES["waiting"].empirical()
    whole = whole_catalogue(waiting)
    assert set(SHORTLIST) <= set(whole)
    assert all(REGISTRY[name].why_not(waiting) is None for name in whole)
    assert [name for name in CATALOGUE if name in REGISTRY and name not in whole] == [
        name for name in CATALOGUE if name in REGISTRY and REGISTRY[name].why_not(waiting) is not None]
    assert whole_catalogue(SAMPLES["coin"].empirical()) == []  # labels: no continuous family
