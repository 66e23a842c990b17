"""The meaning cells' k-means runs in a child process (answers/fit/cells.py), so the long-lived meaning process
never holds scikit-learn (about 90 MB, issue 58) after learning the cells."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from advocacy.child_arrays import ROOT
from answers.fit.cells import KMeansError, kmeans, kmeans_apart


def _vectors() -> np.ndarray:
    generator = np.random.default_rng(7)
    centres = generator.normal(size=(4, 16))
    return np.vstack([centre + generator.normal(scale=0.1, size=(50, 16)) for centre in centres]).astype(np.float32)


def test_centroids_computed_apart_are_the_centroids_computed_here():
    matrix = _vectors()
    here = kmeans(matrix, 4)
    apart = kmeans_apart(matrix, 4)
    assert apart.shape == here.shape == (4, 16)
    np.testing.assert_allclose(apart, here, rtol=1e-6, atol=1e-6)


def test_the_process_that_asks_for_the_cells_never_imports_scikit_learn():
    script = (
        "import sys, numpy as np\n"
        "from answers.fit.cells import kmeans_apart\n"
        "centres = kmeans_apart(np.eye(4, dtype=np.float32).repeat(5, axis=0), 4)\n"
        "print(centres.shape, sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "(4, 4) []"


def test_a_child_that_fails_says_why():
    with pytest.raises(KMeansError, match=r"exited with 1: .*"):
        kmeans_apart(_vectors()[:2], 4)  # fewer rows than cells: scikit-learn refuses
