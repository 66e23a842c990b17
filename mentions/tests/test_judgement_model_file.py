"""The shipped models' file (shipped.npz, cascade.npz: mentions.judgement.learned.model_file_write) reads back as
the loaders read it: rows, labels, their sets, the model and what it was built with."""

from __future__ import annotations

import numpy as np

from mentions.judgement.learned import CLASSES, LearnedModel, model_file_write


def test_a_model_file_reads_back_as_written(tmp_path):
    model = LearnedModel(
        coef=np.arange(len(CLASSES) * 3, dtype=float).reshape(len(CLASSES), 3), intercept=np.zeros(len(CLASSES)),
        noise_floor=0.8,
    )  # fmt: skip
    rows = np.array([[0.5, 1.0, 2.0], [1.5, 0.0, 1.0]])
    path = tmp_path / "model.npz"
    written = model_file_write(path, rows=rows, labels=["noise", "needs_response"], sources=["a", "b"], model=model,
                               meta=["e5", "a:1"])  # fmt: skip
    assert written == path.stat().st_size > 0
    with np.load(path) as arrays:
        assert arrays["rows"].dtype == np.float16 and arrays["rows"].tolist() == rows.tolist()
        assert [str(v) for v in arrays["labels"]] == ["noise", "needs_response"]
        assert [str(v) for v in arrays["sources"]] == ["a", "b"] and [str(v) for v in arrays["meta"]] == ["e5", "a:1"]
        back = LearnedModel.from_bytes(arrays["model"].tobytes())
    assert back.coef.tolist() == model.coef.tolist() and abs(back.noise_floor - 0.8) < 1e-6  # stored as float32
