"""The shared vocabulary: one home for units, zero policies, ε and figure sizes."""

from __future__ import annotations

import math

import pytest

from kl_core import vocabulary
from kl_core.__main__ import build_parser
from kl_core.measures import kl_divergence
from kl_core.share import Shared
from kl_core.vocabulary import (
    DEFAULT_PLOTTED, DEFAULT_UNITS, DEFAULT_ZERO_POLICY, EPSILON, EPSILON_RANGE, MAX_PLOTTED, UNITS, ZERO_POLICIES,
    base_of, bits_or_nats, sample_key,
)


@pytest.mark.parametrize("units", UNITS)
def test_every_unit_round_trips_through_its_base(units):
    assert bits_or_nats(base_of(units)) == units


def test_unknown_units_fall_back_to_the_default():
    assert base_of("decibans") == base_of(DEFAULT_UNITS) == 2.0


def test_nats_is_the_natural_log():
    assert base_of("nats") == math.e


def test_defaults_are_among_the_choices():
    assert DEFAULT_UNITS in UNITS and DEFAULT_ZERO_POLICY in ZERO_POLICIES
    assert EPSILON_RANGE[0] <= EPSILON <= EPSILON_RANGE[1]
    assert 1 <= DEFAULT_PLOTTED <= MAX_PLOTTED


def test_the_cli_and_links_default_to_the_vocabulary():
    args = build_parser().parse_args(["rank", "sample:worms"])
    assert (args.zero_policy, args.epsilon) == (DEFAULT_ZERO_POLICY, EPSILON)
    shared = Shared()
    assert (shared.units, shared.policy, shared.epsilon) == (DEFAULT_UNITS, DEFAULT_ZERO_POLICY, EPSILON)


def test_measures_floor_with_the_default_epsilon():
    p, q = [0.5, 0.5], [1.0, 0.0]
    assert kl_divergence(p, q, zero_policy="epsilon") == kl_divergence(p, q, zero_policy="epsilon", epsilon=EPSILON)


def test_sample_key_reads_only_sample_ids():
    assert sample_key(vocabulary.SAMPLE_PREFIX + "planets") == "planets"
    assert sample_key("paste:planets") is None
