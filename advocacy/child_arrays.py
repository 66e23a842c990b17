"""Run a module's `_main` in a child Python process with numpy arrays in and out (stdin and stdout, `.npz`, no
pickles): work whose libraries (scikit-learn, SciPy) must not stay in a long-lived worker once it is done. The
judgement's fit (mentions.judgement.fitting) and the answers' meaning cells (answers.fit.cells) run this way."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]  # where `python -m <module>` finds the desk's modules


def arrays_pack(**arrays: Any) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def arrays_in_child(module: str, *, timeout: float, error: type[Exception], what: str, **arrays: Any) -> dict[str, Any]:
    """`python -m module` given `arrays`; its answer's arrays by name. A child that fails raises `error`, naming
    `what` and the last lines it wrote."""
    done = subprocess.run(  # noqa: S603 - this interpreter and a module name of the desk's own, no shell
        [sys.executable, "-m", module],
        input=arrays_pack(**arrays),
        capture_output=True,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise error(f"the {what} process exited with {done.returncode}: {' | '.join(tail)}")
    with np.load(io.BytesIO(done.stdout)) as got:
        return {name: got[name] for name in got.files}
