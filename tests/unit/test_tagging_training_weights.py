"""The e5 head's sample weights: every source and every label weighs the same in total."""

from __future__ import annotations

import numpy as np
import pandas as pd

from regie.tagging.training import balanced, embedding_weights


def test_every_label_weighs_the_same_in_total_with_mean_weight_one() -> None:
    labels = pd.Series(["sport"] * 6 + ["health"] * 2)
    weights = balanced(labels)
    assert np.isclose(weights.mean(), 1.0)
    assert np.isclose(weights[labels == "sport"].sum(), weights[labels == "health"].sum())


def test_source_and_label_weights_multiply() -> None:
    table = pd.DataFrame({
        "source": ["sib"] * 4 + ["bbc"] * 2,
        "label": ["sport", "sport", "sport", "health", "sport", "sport"],
    })  # fmt: skip
    weights = embedding_weights(table)
    # sources: 0.75 (SIB) and 1.5 (BBC); labels: 0.6 (sport, 5 of 6) and 3 (health, 1 of 6)
    assert np.allclose(weights, [0.45, 0.45, 0.45, 2.25, 0.9, 0.9])
