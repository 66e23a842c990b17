"""`manage.py answers_evaluate`: each set's figures, the desk's beside the baseline's, the development set first,
the questions no earlier answer fits counted apart, and each set's product (its "product" key) set up on its
channels as an install follows it. The sets here are small ones written for this test, in the development set's
format."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from answers.evaluation import dataset_load, evaluate, tickets_load
from answers.management.commands import answers_evaluate
from answers.product import product_stems

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
    monkeypatch.setattr(answers_evaluate, "DATASET", dev)
    out = StringIO()
    call_command("answers_evaluate", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if not line.startswith(" ")]
    assert lines[0].startswith("held-out (heldout.json, product Acme Cloud)")  # the held-out set first
    assert lines[1].startswith("development (dataset.json, product GitLab): 3 answered tickets, 1 questions")
    table = out.getvalue().splitlines()
    assert table[1].split() == ["desk", "naive", "full-text", "OR"]
    assert table[2].split() == ["recall@3", "1/1", "=", "1.000", "1/1", "=", "1.000"]
    assert table[4].split()[:7] == ["no", "suggestion", "when", "nothing", "fits", "1/1", "="]
    assert table[4].split()[-3:] == ["0/1", "=", "0%"]  # the baseline always has a best

    out = StringIO()
    call_command("answers_evaluate", "--set", str(held), "--set", str(dev), stdout=out)
    lines = [line for line in out.getvalue().splitlines() if not line.startswith(" ")]
    assert [line.split(" (")[0] for line in lines] == ["held-out", "development"]
