"""stories_evaluate: the held-out afternoon first when it is there, each set's product configured in the seeded
triage rules as an install for that product would, and `--dataset` for any other files."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from mentions.models import Rule, Ticket
from stories import evaluation
from stories.evaluation import DATASET, datasets, product_configure
from stories.tests.helpers import RELEASE_DAY, mention

pytestmark = pytest.mark.django_db


def test_the_held_out_afternoon_comes_first_when_it_is_there(tmp_path, monkeypatch):
    missing = tmp_path / "heldout_afternoon.json"
    seen = tmp_path / "heldout_seen.json"
    monkeypatch.setattr(evaluation, "HELDOUT", missing)
    monkeypatch.setattr(evaluation, "SEEN", seen)
    monkeypatch.setattr(evaluation, "EARLIER", tmp_path / "absent.json")
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
