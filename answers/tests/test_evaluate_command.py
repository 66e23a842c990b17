"""`manage.py answers_evaluate`: each set's figures, the desk's beside the baseline's, the development set first,
the questions no earlier answer fits counted apart, and each set's product (its "product" key) set up on its
channels as an install follows it. The sets here are small ones written for this test, in the development set's
format."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from advocacy.embeddings import embed, model_name
from answers.evaluation import dataset_load, evaluate, fit_rows, tickets_load
from answers.management.commands import answers_evaluate
from answers.models import MeaningCell
from answers.product import product_stems
from answers.suggestions.cells import CACHE_KEY, centroids
from answers.suggestions.meaning import answer_text

pytestmark = pytest.mark.django_db

TICKETS = [
    {"id": "t1", "platform": "twitter", "title": "",
     "question": "@acmecloud acme cloud runner offline since the upgrade",
     "reply": "Re-register the runner with its new token: https://docs.example.com/runner"},
    {"id": "t2", "platform": "reddit", "title": "Registry login denied",
     "question": "docker login to the acme registry says denied",
     "reply": "Use a deploy token with read_registry: https://docs.example.com/registry"},
    {"id": "t3", "platform": "hackernews", "title": "", "question": "acme cloud pages site is a 404 after deploy",
     "reply": "Publish the site to public/: https://docs.example.com/pages"},
]  # fmt: skip
QUERIES = [
    {"id": "q1", "platform": "twitter", "title": "Runner offline", "question": "acme runner offline after upgrade, "
     "re-register it?", "target": "t1", "overlap": "high"},
    {"id": "n1", "platform": "twitter", "title": "", "question": "Acme Cloud is great, love it!", "target": None,
     "overlap": "none"},
]  # fmt: skip


def _write(path: Path, **top) -> Path:
    path.write_text(json.dumps({**top, "tickets": TICKETS, "queries": QUERIES}))
    return path


def test_a_set_names_its_product_and_nothing_fits_is_counted_apart(tmp_path):
    data = dataset_load(_write(tmp_path / "set.json", product="Acme Cloud", written="2026-11-26"))
    (desk, *_) = evaluate(data)
    assert (desk.queries, desk.at_3, desk.unfit, desk.silent) == (1, 1, 1, 1)
    assert desk.by_overlap == {"high": (1, 1)}
    with transaction.atomic():
        tickets_load(TICKETS, product="Acme Cloud")
        assert {"acm", "cloud", "acmecloud"} <= product_stems()
        transaction.set_rollback(True)


def test_every_set_is_printed_with_the_desk_and_the_baseline_side_by_side(tmp_path, monkeypatch):
    held = _write(tmp_path / "heldout.json", product="Acme Cloud")
    dev = _write(tmp_path / "dataset.json")  # no product: GitLab
    monkeypatch.setattr(answers_evaluate, "HELDOUT", held)
    monkeypatch.setattr(answers_evaluate, "SEEN", tmp_path / "absent.json")
    monkeypatch.setattr(answers_evaluate, "EARLIER", tmp_path / "absent.json")
    monkeypatch.setattr(answers_evaluate, "NEWER", tmp_path / "absent.json")
    monkeypatch.setattr(answers_evaluate, "BLIND_SEEN", tmp_path / "absent.json")
    monkeypatch.setattr(answers_evaluate, "DATASET", dev)
    out = StringIO()
    call_command("answers_evaluate", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if not line.startswith(" ")]
    assert lines[0].startswith("held-out (heldout.json, product Acme Cloud)")  # the held-out set first
    assert lines[1].startswith("development (dataset.json, product GitLab): 3 answered tickets, 1 questions")
    table = out.getvalue().splitlines()
    assert table[1].split() == ["desk", "naive", "full-text", "OR"]
    # With each share's 95 % Wilson interval: one question allows anything from 0.21.
    assert table[2].split() == ["recall@3", "1/1", "=", "1.000", "[0.21-1.00]", "1/1", "=", "1.000", "[0.21-1.00]"]
    assert table[4].split()[:7] == ["no", "suggestion", "when", "nothing", "fits", "1/1", "="]
    assert table[4].split()[-4:] == ["0/1", "=", "0%", "[0.00-0.79]"]  # the baseline always has a best

    out = StringIO()
    call_command("answers_evaluate", "--set", str(held), "--set", str(dev), stdout=out)
    lines = [line for line in out.getvalue().splitlines() if not line.startswith(" ")]
    assert [line.split(" (")[0] for line in lines] == ["held-out", "development"]


# A repeat that shares no word with the first asking but "runner": only the meaning list finds it.
MEANING_ONLY = {"id": "q2", "platform": "reddit", "title": "", "question": "our ci agent vanished once we updated "
                "acme, how do we get the worker back", "target": "t1", "overlap": "low"}  # fmt: skip


def _unit(v):
    return (v / np.linalg.norm(v)).astype(np.float32)


def _cells_apart_from(answer_text_: str, question: str) -> bytes:
    """Nine centroids: the first the answer's own meaning, eight near the question's: the answer joins a cell the
    question does not probe (answers.suggestions.cells.PROBE = 8)."""
    answer, asked = embed([answer_text_, question])
    noise = np.random.default_rng(3).normal(0, 0.01, (8, len(asked)))
    return b"".join(_unit(v).tobytes() for v in [answer, *(asked + noise)])


def _target(data) -> dict:
    """The features of the question's target among the fused lists' answers (fit_rows: the ranking, no gate)."""
    return next(row["features"] for row in fit_rows(data) if row["fits"])


def test_a_set_is_measured_alone_whatever_cells_the_cache_and_the_database_hold(tmp_path):
    """A desk's learnt cells, in its database or in a cache it shares with another desk, must not decide the set's
    figures; and after the evaluation the desk reads its own cells again, not the set's "one cell"."""
    data = dataset_load(_write(tmp_path / "set.json", product="Acme Cloud"))
    data["queries"] = [MEANING_ONLY]
    alone = _target(data)
    assert alone["rr_meaning"] == 1.0  # the meaning list puts it first when it reads every answer

    t1 = TICKETS[0]
    blob = _cells_apart_from(answer_text("", t1["question"], t1["reply"]), MEANING_ONLY["question"])
    size = len(blob) // 9
    for n in range(9):
        MeaningCell.objects.create(model=model_name(), number=n, centroid=blob[n * size : (n + 1) * size])
    cache.set(CACHE_KEY.format(model=model_name()), (9, blob), 600)

    assert _target(data) == alone
    found = centroids()
    assert found is not None and len(found) == 9  # the desk's own cells, read again


def test_a_set_is_measured_on_the_shipped_weights_whatever_the_desk_learnt_and_its_cache_is_left_clean(tmp_path):
    """Weights the desk learnt from its team (answers.fit.use), or weights learnt inside an evaluation by time and
    rolled back but still cached, would decide the figures: the set is measured on the shipped cold start, and the
    desk reads its own weights afterwards."""
    from answers.fit_models import FIT_WEIGHTS_CACHE, FitWeights, active_fit_weights

    silent = {"intercept": -50.0}  # a learnt version that never shows anything
    FitWeights.objects.create(outcome=FitWeights.Outcome.ACTIVE, weights=silent, labels=1, labels_fit=1, scored_on=1,
                              loss_before=1.0, loss_after=0.5, accuracy_before=0.5, accuracy_after=0.6)  # fmt: skip
    assert active_fit_weights() == silent  # cached, as the workers read it
    (desk, *_) = evaluate(dataset_load(_write(tmp_path / "set.json", product="Acme Cloud")))
    assert (desk.queries, desk.at_3) == (1, 1)  # the cold start's figures, not the desk's silent version's
    assert cache.get(FIT_WEIGHTS_CACHE) is None  # nothing of the set's run left cached
    assert active_fit_weights() == silent  # the desk's own version again
