"""The k-means of the answers' meaning cells (answers.suggestions.cells.cells_learn), computed in this process or in a
child.

Why a child: `sklearn.cluster` adds about 90 MB to the process that imports it (issue 58), and the cells are learnt
in the `meaning` process, which lives for days and learns them again only when the answers with a vector have
doubled: it kept scikit-learn for good after the first time, beside the embedding model. As with the judgement's
fit (mentions/judgement/fitting.py), the child is a plain subprocess (Celery's pool processes are daemonic), the
arrays go in and out as .npz on its pipes, and it imports numpy and scikit-learn, nothing of Django.
"""

from __future__ import annotations

import io
import sys

import numpy as np

from advocacy.child_arrays import arrays_in_child, arrays_pack

TIMEOUT = 600  # seconds: 50,000 vectors into 224 cells take about 20 s here; a stuck child must not hold the worker


class KMeansError(RuntimeError):
    """The child process failed; its message carries the child's last lines of stderr."""


def kmeans(matrix: np.ndarray, k: int) -> np.ndarray:
    """The k centroids (float64, scikit-learn's order) of the rows of `matrix`. Seeded: the same rows, the same
    centroids."""
    from sklearn.cluster import MiniBatchKMeans

    return np.asarray(
        MiniBatchKMeans(n_clusters=k, random_state=0, n_init=3, batch_size=4096).fit(matrix).cluster_centers_
    )


def kmeans_apart(matrix: np.ndarray, k: int) -> np.ndarray:
    """`kmeans`, computed by a child Python process: the same centroids, nothing of scikit-learn left here."""
    got = arrays_in_child(
        "answers.fit.cells",
        timeout=TIMEOUT,
        error=KMeansError,
        what="k-means",
        matrix=np.asarray(matrix),
        k=np.array([k]),
    )
    return np.asarray(got["centres"])


def _main() -> None:
    with np.load(io.BytesIO(sys.stdin.buffer.read())) as got:
        centres = kmeans(got["matrix"], int(got["k"][0]))
    sys.stdout.buffer.write(arrays_pack(centres=centres))


if __name__ == "__main__":
    _main()
