"""Sample datasets from the stories behind the app, each ready for :func:`to_empirical`.

* ``worms``: teeth counted on 100 alien worms (0..10 teeth), a frequency table.
* ``planets``: a planet's eight temperature levels with their probabilities (N unknown).
* ``coin``: 200 flips of a slightly biased coin, as H/T observations.
* ``waiting``: 2,000 waiting times in minutes (continuous; gamma-shaped).
* ``overdispersed``: 1,000 counts whose variance is far above their mean.

Generated samples use a fixed seed, so every run, test and report sees the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from kl_core.empirical import Empirical, Shape, to_empirical

__all__ = ["PLANET_PROBABILITIES", "PLANET_TEMPERATURES", "SAMPLES", "WORM_COUNTS", "WORM_TEETH", "Sample"]

WORM_TEETH = tuple(range(11))
WORM_COUNTS = (2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7)
PLANET_TEMPERATURES = (100, 105, 110, 145, 160, 162, 174, 180)
PLANET_PROBABILITIES = (0.30, 0.40, 0.05, 0.06, 0.07, 0.02, 0.05, 0.05)


@dataclass(frozen=True)
class Sample:
    """A named dataset with how to read it.

    Examples
    --------
    >>> SAMPLES["worms"].empirical().n
    100.0
    """

    key: str
    title: str
    description: str
    make_frame: Callable[[], pd.DataFrame]
    column: str
    shape: Shape
    weight_column: str | None = None
    models: tuple[str | tuple[str, dict], ...] = ("uniform", "binomial", "poisson")

    def frame(self) -> pd.DataFrame:
        """The sample as a table, as if read from a file."""
        return self.make_frame()

    def empirical(self) -> Empirical:
        """The sample reduced to an :class:`Empirical`."""
        return to_empirical(self.frame(), self.column, self.shape, self.weight_column, name=self.title)

    def csv_bytes(self) -> bytes:
        """The table as CSV, for download or for the command line."""
        return self.frame().to_csv(index=False).encode()


def _worms() -> pd.DataFrame:
    return pd.DataFrame({"teeth": WORM_TEETH, "worms": WORM_COUNTS})


def _planets() -> pd.DataFrame:
    return pd.DataFrame({"temperature": PLANET_TEMPERATURES, "probability": PLANET_PROBABILITIES})


def _coin() -> pd.DataFrame:
    rng = np.random.default_rng(2024)
    return pd.DataFrame({"flip": rng.choice(["H", "T"], size=200, p=[0.55, 0.45])})


def _waiting() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame({"minutes": np.round(rng.gamma(shape=2.0, scale=3.0, size=2000), 3)})


def _overdispersed() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    return pd.DataFrame({"events": rng.negative_binomial(n=2, p=0.3, size=1000)})


SAMPLES: dict[str, Sample] = {
    sample.key: sample
    for sample in (
        Sample("worms", "Worm teeth", "Teeth counted on 100 alien worms; each has room for 10.",
               _worms, "teeth", "counts", "worms", ("uniform", "binomial")),
        Sample("planets", "Planet temperatures", "Eight temperature levels and how often each occurs (probabilities, N unknown).",
               _planets, "temperature", "probabilities", "probability", (("uniform", {"over": "observed"}), "uniform", "poisson")),
        Sample("coin", "Coin flips", "200 flips of a coin, recorded as H or T.", _coin, "flip", "observations", None, ("uniform",)),
        Sample("waiting", "Waiting times", "2,000 waiting times in minutes: continuous data, binned.",
               _waiting, "minutes", "observations", None, ("norm", "gamma", "lognorm", "expon", "uniform")),
        Sample("overdispersed", "Overdispersed counts", "1,000 event counts whose variance is far above their mean.",
               _overdispersed, "events", "observations", None, ("poisson", "nbinom", "geom", "uniform")),
    )
}
