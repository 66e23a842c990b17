"""stories_evaluate: the held-out afternoon first when it is there, each set's product configured in the seeded
triage rules as an install for that product would, and `--dataset` for any other files."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from mentions.models import Rule, Ticket
from stories.detection import evaluation
from stories.detection.evaluation import DATASET, datasets, product_configure
from stories.tests.helpers import RELEASE_DAY, mention

pytestmark = pytest.mark.django_db


def test_the_held_out_afternoon_comes_first_when_it_is_there(tmp_path, monkeypatch):
    missing = tmp_path / "heldout_afternoon.json"
    seen = tmp_path / "heldout_seen.json"
    monkeypatch.setattr(evaluation, "HELDOUT", missing)
    monkeypatch.setattr(evaluation, "SEEN", seen)
    monkeypatch.setattr(evaluation, "EARLIER", tmp_path / "absent.json")
    monkeypatch.setattr(evaluation, "NEWER", tmp_path / "absent.json")
    monkeypatch.setattr(evaluation, "BLIND_SEEN", tmp_path / "absent.json")
    assert datasets(None) == [("dev (tuned on)", DATASET)]
    missing.write_text("{}", encoding="utf-8")
    assert datasets(None) == [("held-out", missing), ("dev (tuned on)", DATASET)]
    seen.write_text("{}", encoding="utf-8")
    assert datasets(None) == [("held-out", missing), ("held-out, seen", seen), ("dev (tuned on)", DATASET)]
    given = [tmp_path / "a.json", tmp_path / "b.json"]
    assert datasets(given) == [("a", given[0]), ("b", given[1])]


def test_another_product_is_named_in_the_seeded_rules_so_its_outage_reports_are_tagged(handbook_rules):
    product_configure("Render")
    downtime = Rule.objects.get(name="Availability / downtime")
    assert "render down" in downtime.text_keywords and "gitlab" not in downtime.text_keywords.lower()
    assert Rule.objects.get(name="Competitor-only mention").text_excludes == "*render*"

    ticket = mention("twitter", "render.com down for everyone? deploys hang", at=RELEASE_DAY)
    assert set(Ticket.objects.get(pk=ticket.pk).tags.values_list("name", flat=True)) >= {"downtime"}


def _tiny(product: str) -> dict:
    """A set in release_day.json's format (stories/eval/README.md): three mentions sharing one link."""
    link = "https://example.com/blog/post"
    at = [f"2026-11-22T12:0{i}:00Z" for i in range(3)]
    return {
        "day": "2026-11-22",
        "window": {"start": "2026-11-22T12:00:00Z", "end": "2026-11-22T18:00:00Z"},
        "product": product,
        "stories": {},
        "background": [],
        "mentions": [
            {"id": f"m00{i}", "platform": "twitter", "author": f"a{i}", "title": "", "text": f"read this {link}",
             "url": "", "at": at[i], "story": "post"}
            for i in range(3)
        ] + [{"id": "m009", "platform": "reddit", "author": "z", "title": "", "url": "", "at": at[2],
              "text": "unrelated question about ssh keys", "story": None}],
    }  # fmt: skip


def test_each_given_set_is_evaluated_in_turn_and_nothing_is_kept(tmp_path, handbook_rules):
    paths = []
    for name, product in (("one", "Render"), ("two", "GitLab")):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(_tiny(product)), encoding="utf-8")
        paths.append(path)
    out = StringIO()
    call_command("stories_evaluate", "--dataset", str(paths[0]), "--dataset", str(paths[1]), stdout=out)
    text = out.getvalue()
    assert text.index("== one: one.json (Render)") < text.index("== two: two.json (GitLab)")
    assert text.count("post         3 mentions  precision 3/3 = 1.000  recall 3/3 = 1.000") == 2
    assert not Ticket.objects.exists()  # rolled back
    assert "gitlab down" in Rule.objects.get(name="Availability / downtime").text_keywords  # the rename too


def test_set_scores_any_file_with_pieces_intruders_and_the_link_only_baseline_beside(tmp_path, handbook_rules):
    path = tmp_path / "afternoon.json"
    path.write_text(json.dumps(_tiny("GitLab")), encoding="utf-8")
    out = StringIO()
    call_command("stories_evaluate", "--set", str(path), stdout=out)
    lines = out.getvalue().splitlines()
    at = lines.index("post         3 mentions  precision 3/3 = 1.000  recall 3/3 = 1.000  pieces 1  intruders 0")
    baseline = " ".join(lines[at + 1].split())
    assert baseline == "link-only: precision 3/3 = 1.000 recall 3/3 = 1.000 pieces 1 intruders 0"


def test_link_only_grouping_is_the_tickets_sharing_a_canonical_link_and_nothing_else():
    data = _tiny("GitLab")
    data["mentions"][1]["text"] = "same post, shared again: http://www.example.com/blog/post/?utm_source=x"
    data["mentions"][2]["text"] = "it is down again, nothing loads"  # told without the link
    groups = evaluation.link_groups(data)
    assert set(groups) == {"m000", "m001"} and groups["m000"] == groups["m001"]
    (post,) = evaluation.scored(data, groups, via=evaluation.Counter()).stories
    assert (post.found, post.detected_size, post.size, post.fragments, post.intruders) == (2, 2, 3, 1, [])
    assert post.missed == ["m002"]


def test_the_meaning_ceiling_is_the_longest_precise_head_of_the_afternoon_ranked_by_meaning():
    def unit(*xyz: float) -> np.ndarray:
        v = np.array(xyz, dtype=np.float32)
        return v / np.linalg.norm(v)

    story = {"a1": unit(1, 0, 0), "a2": unit(1, 0.1, 0), "a3": unit(1, -0.1, 0)}
    others = {"b1": unit(0, 1, 0), "b2": unit(0, 0, 1)}
    labels = {"a1": "a", "a2": "a", "a3": "a", "b1": "b", "b2": None, "x": None}
    far = {**story, **others, "x": unit(0.8, 0.6, 0)}  # below the story's three: all three are gathered first
    assert evaluation.meaning_ceiling(far, labels, "a") == 3
    # An unrelated mention nearer the story than two of its own: past the first, no head is 90 % the story's.
    near = {**story, **others, "x": unit(1, 0.05, 0)}
    assert evaluation.meaning_ceiling(near, labels, "a") == 1
    assert evaluation.meaning_ceiling(far, labels, "absent") == 0


def test_each_story_says_what_meaning_alone_could_gather_and_how_near_its_missed_mentions_are(tmp_path, handbook_rules):
    data = _tiny("GitLab")
    data["background"] = [
        {"id": f"b00{i}", "platform": "twitter", "author": f"b{i}", "title": "", "url": "", "text": text,
         "at": f"2026-11-2{i}T10:00:00Z"}
        for i, text in enumerate(("how do I cache node_modules in ci", "runner tags question", "pricing for teams"))
    ]  # fmt: skip
    data["mentions"].append(
        {"id": "m004", "platform": "reddit", "author": "y", "title": "", "url": "", "at": "2026-11-22T12:05:00Z",
         "text": "that blog post everyone is sharing, worth reading", "story": "post"}
    )  # fmt: skip
    path = tmp_path / "afternoon.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = StringIO()
    call_command("stories_evaluate", "--set", str(path), "--verbose-misses", stdout=out)
    text = out.getvalue()
    ceiling = re.search(r"meaning alone, at best: (\d+)/4 at precision 0\.9", text)
    assert ceiling is not None and 1 <= int(ceiling.group(1)) <= 4, text
    assert re.search(r"missed: m004 \(-?\d\.\d\d\); intruders: -", text), text


def test_the_afternoon_is_replayed_in_slices_of_the_minutes_given(tmp_path, handbook_rules):
    items = [{"id": f"m{i}", "at": f"2026-11-22T12:0{i}:30Z"} for i in range(4)]
    ids = [[i["id"] for i in chunk] for chunk in evaluation._slices(items, timedelta(minutes=2))]
    assert ids == [["m0", "m1"], ["m2", "m3"]]
    assert len(evaluation._slices(items, timedelta(minutes=1))) == 4

    path = tmp_path / "afternoon.json"
    path.write_text(json.dumps(_tiny("GitLab")), encoding="utf-8")
    for minutes in ("1", "10"):  # a story told by one link is whole however the polls cut the afternoon
        out = StringIO()
        call_command("stories_evaluate", "--set", str(path), "--slice", minutes, stdout=out)
        assert "post         3 mentions  precision 3/3 = 1.000  recall 3/3 = 1.000  pieces 1" in out.getvalue()
