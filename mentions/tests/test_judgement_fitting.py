"""The worker learns a desk's judgement in a child process (mentions/judgement/fitting.py), so the long-lived model
process never holds scikit-learn and scipy (about 100 MB) between the six-hourly runs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from advocacy.child_arrays import ROOT
from mentions.judgement.fitting import FitError, logistic, logistic_apart


def _rows() -> tuple[np.ndarray, list[str], np.ndarray]:
    generator = np.random.default_rng(5)
    centres = {"needs_response": 1.0, "worth_knowing": 0.0, "noise": -1.0}
    labels = [label for label in centres for _ in range(40)]
    features = np.vstack([generator.normal(centres[label], 0.7, size=6) for label in labels])
    return features, labels, generator.uniform(1, 5, size=len(labels))


def test_a_model_fitted_apart_is_the_model_fitted_here():
    features, labels, weights = _rows()
    here = logistic(features, labels, weights, 1.0)
    apart = logistic_apart(features, labels, weights, 1.0)
    assert apart[0] == here[0] == ["needs_response", "noise", "worth_knowing"]
    np.testing.assert_allclose(apart[1], here[1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(apart[2], here[2], rtol=1e-9, atol=1e-12)


def test_the_process_that_asks_for_a_fit_never_imports_scikit_learn():
    script = (
        "import sys, numpy as np\n"
        "from mentions.judgement.fitting import logistic_apart\n"
        "classes, coef, _ = logistic_apart(np.eye(3).repeat(4, axis=0), ['a', 'b', 'c'] * 4, np.ones(12), 1.0)\n"
        "print(classes, coef.shape, sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['a', 'b', 'c'] (3, 3) []"


def test_a_child_that_fails_says_why():
    features, labels, weights = _rows()
    with pytest.raises(FitError, match=r"exited with 1: .*"):
        logistic_apart(features, labels, weights[:3], 1.0)  # weights of the wrong length: scikit-learn refuses
