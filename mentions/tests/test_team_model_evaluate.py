"""`judgement_evaluate --endpoint URL --model NAME [--api-key-env VAR]`: a team scores its own model on the
labelled sets with the figures the command prints for the desk's own judgement.

Shapes: the endpoint is a local fake (mentions/tests/openai_fake.py) answering in OpenAI's documented chat
completions shape (API reference, "Create chat completion"), as Ollama and llama.cpp's server do; the set is in the
shape of mentions/judgement/eval/dev.json (mentions.judgement.evaluation's docstring)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from mentions.models import TeamModelUsage, Ticket
from mentions.tests.openai_fake import Reply, answer, fake_openai

pytestmark = pytest.mark.django_db

LABELS = {
    "How do I export my Zentrik silo to CSV? The button is greyed out.": ("needs_response", "question"),
    "The grain silo on our farm is full after a great harvest this year.": ("noise", "other"),
    "Zentrik 4.0 is out today with a new dashboard https://news.example/g4": ("worth_knowing", "other"),
    "Does anyone else think Zentrik's new pricing is steep?": ("worth_knowing", "question"),
}


@pytest.fixture
def labelled(tmp_path):
    mentions = [
        {
            "id": f"z-{n}",
            "platform": "reddit",
            "author": f"author{n}",
            "title": "",
            "text": text,
            "label": {"judgement": judgement, "intent": intent, "sentiment": "neutral", "language": "en"},
        }
        for n, (text, (judgement, intent)) in enumerate(LABELS.items())
    ]
    data = {"product": "Zentrik", "description": "Zentrik, an analytics app: silos, dashboards, CSV exports.",
            "keywords": ["zentrik", "silo"], "mentions": mentions}  # fmt: skip
    path = tmp_path / "zentrik.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _judged_as_labelled(seen) -> Reply:
    """The fake model: the label of the mention it was sent, except the last, which it calls noise."""
    text = json.loads(seen.body["messages"][1]["content"].split("\n", 1)[1])["text"]
    judgement, intent = LABELS[text]
    if text.startswith("Does anyone"):
        judgement = "noise"
    return answer(json.dumps({"judgement": judgement, "intent": intent, "reason": "as read"}))


def test_the_sets_are_judged_by_the_endpoint_with_the_same_figures(labelled, capsys, monkeypatch):
    monkeypatch.setenv("TEAM_MODEL_KEY", "sk-eval-key")
    with fake_openai() as fake:
        fake.respond = _judged_as_labelled
        call_command(
            "judgement_evaluate", "--endpoint", fake.base_url, "--model", "qwen2.5:7b", "--api-key-env",
            "TEAM_MODEL_KEY", "--dataset", str(labelled), "--misses",
        )  # fmt: skip
        assert fake.requests == 4 and fake.seen[0].headers["authorization"] == "Bearer sk-eval-key"
        system = fake.seen[0].body["messages"][0]["content"]
        assert "Zentrik, an analytics app" in system and fake.seen[0].body["model"] == "qwen2.5:7b"
    out = capsys.readouterr().out
    assert out.startswith(f"== zentrik, by qwen2.5:7b: {labelled} (Zentrik, 4 mentions,")
    assert "needs_response precision   1.000" in out and "noise precision            0.500" in out
    assert "judgement accuracy         0.750" in out and "intent accuracy            1.000" in out
    assert "language accuracy          1.000" in out
    assert "miss z-3: worth_knowing judged noise: as read" in out
    assert "every mention judged by the endpoint (4)" in out
    assert not Ticket.objects.exists() and not TeamModelUsage.objects.exists()  # nothing stored, nothing counted


def test_an_endpoint_that_fails_is_asked_no_more_after_three_in_a_row(labelled, capsys):
    with fake_openai() as fake:
        fake.replies = [Reply(status=500)]
        call_command("judgement_evaluate", "--endpoint", fake.base_url, "--model", "m", "--dataset", str(labelled))
        assert fake.requests == 3
    out = capsys.readouterr().out
    assert "judgement accuracy         0.000" in out
    assert "no verdict for 4 of 4 mentions (counted as judged otherwise)" in out
    assert "; the rest were not asked after 3 in a row" in out


def test_the_options_are_checked(labelled, monkeypatch):
    with pytest.raises(CommandError, match="--endpoint needs --model NAME"):
        call_command("judgement_evaluate", "--endpoint", "http://127.0.0.1:9/v1", "--dataset", str(labelled))
    monkeypatch.delenv("NO_SUCH_KEY", raising=False)
    with pytest.raises(CommandError, match="NO_SUCH_KEY is not set"):
        call_command(
            "judgement_evaluate", "--endpoint", "http://127.0.0.1:9/v1", "--model", "m", "--api-key-env", "NO_SUCH_KEY"
        )
