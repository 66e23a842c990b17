"""The learned intent and sentiment's shipped file (issue 68, mentions.judgement.intent_model: intent.npz, built by
`judgement_train_shipped`): small, made for this desk's features and embedding model, read back as written, and
refitted without a set when measuring on it."""

from __future__ import annotations

import numpy as np

from mentions.judgement.intent_model import INTENT_FILE, built_with, intent_file_read, intent_file_write, intent_model
from mentions.judgement.shipped_model import shipped_sources


def test_the_shipped_intent_file_is_small_read_by_this_desk_and_reads_back_as_written(tmp_path):
    assert INTENT_FILE.stat().st_size < 1_000_000
    shipped = intent_file_read(INTENT_FILE)
    assert shipped.meta == built_with() and intent_model() is not None
    rows, sources = shipped_sources()
    assert shipped.sources == sources and len(shipped.intents) == len(rows) == len(shipped.columns)

    path = tmp_path / "intent.npz"
    assert intent_file_write(path, shipped) == path.stat().st_size
    back = intent_file_read(path)
    assert (back.intents, back.sentiments, back.sources, back.meta) == (
        shipped.intents,
        shipped.sentiments,
        shipped.sources,
        shipped.meta,
    )
    table = np.hstack([rows, shipped.columns])
    for head, again in ((shipped.model.intent, back.model.intent), (shipped.model.sentiment, back.model.sentiment)):
        assert again.classes == head.classes
        assert np.allclose(again.probabilities(table), head.probabilities(table), atol=1e-6)


def test_a_set_left_out_is_not_learned_from():
    # Refitted without Ghost, the model reads Ghost's mentions less well than the shipped one that learned them.
    rows, sources = shipped_sources()
    shipped, without = intent_model(), intent_model(without="heldout_ghost.json")
    assert shipped is not None and without is not None
    ghost = np.array([s == "heldout_ghost.json" for s in sources])
    loaded = intent_file_read(INTENT_FILE)
    table = np.hstack([rows, loaded.columns])[ghost]
    truth = [label for label, kept in zip(loaded.intents, ghost, strict=True) if kept]

    def hits(model) -> int:
        said = model.intent.probabilities(table).argmax(axis=1)
        return sum(model.intent.classes[k] == t for k, t in zip(said, truth, strict=True))

    assert hits(without) < hits(shipped)
