"""The logistic regression behind every judgement version (scikit-learn's: L-BFGS, L2), fitted in this process or,
when the worker learns a desk's version, in a child process.

Why a child: importing scikit-learn and the parts of scipy it needs adds about 100 MB to a process, and the worker
that judges is long-lived: it would keep them for six hours to use them for three seconds (issue 56: the model
process at most 300 MB over a bare worker). The child is a plain subprocess, not multiprocessing's, because
Celery's pool processes are daemonic and may not start multiprocessing children. The arrays go in and out as .npz
on its pipes; the child imports numpy and scikit-learn, nothing of Django."""

from __future__ import annotations

import io
import resource
import sys

import numpy as np

from advocacy.child_arrays import arrays_in_child, arrays_pack

TIMEOUT = 600  # seconds: 10,000 rows fit in about 3 s here; a stuck child must not hold the worker forever


def cpu_seconds() -> float:
    """This process's CPU seconds and its finished children's: a fit apart is counted with the work that asked."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class FitError(RuntimeError):
    """The child process failed; its message carries the child's last lines of stderr."""


def logistic(
    features: np.ndarray, labels: list[str], weights: np.ndarray, regularisation: float
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The fitted classes (scikit-learn's order), coefficients and intercepts."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=regularisation, max_iter=2000)
    model.fit(features, np.asarray(labels), sample_weight=weights)
    return [str(c) for c in model.classes_], model.coef_, model.intercept_


def logistic_apart(
    features: np.ndarray, labels: list[str], weights: np.ndarray, regularisation: float
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """`logistic`, computed by a child Python process: the same result, nothing of scikit-learn left here."""
    got = arrays_in_child(
        "mentions.judgement.fitting",
        timeout=TIMEOUT,
        error=FitError,
        what="fitting",
        features=np.asarray(features, dtype=np.float64),
        labels=np.asarray(labels, dtype=str),
        weights=np.asarray(weights, dtype=np.float64),
        regularisation=np.array([regularisation]),
    )
    return [str(c) for c in got["classes"]], got["coef"], got["intercept"]


def _main() -> None:
    with np.load(io.BytesIO(sys.stdin.buffer.read())) as got:
        classes, coef, intercept = logistic(
            got["features"], [str(x) for x in got["labels"]], got["weights"], float(got["regularisation"][0])
        )
    sys.stdout.buffer.write(arrays_pack(classes=np.asarray(classes, dtype=str), coef=coef, intercept=intercept))


if __name__ == "__main__":
    _main()
