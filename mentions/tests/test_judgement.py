"""The judgement of mentions (mentions.judgement): what the desk decides of a mention and why, at intake in
the worker, never over an advocate's, and taught by the advocates' corrections. The texts are written here for
the tests; the tickets are made with the factories, and the one ingest goes through Hacker News' adapter from an
Algolia hit in its recorded shape (channels/tests/hn.py, recorded from hn.algolia.com)."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.core.management import call_command

from advocacy.celery import app as celery_app
from channels.adapters.hackernews import HackerNewsAdapter
from channels.models import Channel
from channels.tests.hn import search_page, story_hit
from intake.pipeline import mentions_ingest
from mentions.judgement.evaluation import DEVELOPMENT
from mentions.judgement.run import tickets_judge
from mentions.models import JudgedBy, Ticket, TicketEvent
from mentions.services.judgement import judgement_correct
from mentions.tasks import judgement_run
from mentions.tests.factories import AdvocateFactory, ChannelFactory, MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def search():
    """A Hacker News channel searching for the product's name and two ordinary words."""
    return ChannelFactory(config={"keywords": ["gitlab", "runner", "pipeline"]})


def _mention(text: str, *, title: str = "", author: str = "someone") -> Ticket:
    ticket = TicketFactory(subject=title, channel=Channel.objects.get(slug__startswith="hn-"))
    MessageFactory(ticket=ticket, title=title, body=text, author_handle=author)
    return ticket


def _judged(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_each_kind_of_mention_gets_its_judgement_and_a_reason():
    question = _mention("How do I keep the cache between two jobs of my GitLab pipeline? It is always empty.")
    outage = _mention("is gitlab.com down?? every push fails with 502 since ten minutes")
    praise = _mention("Moved our team to GitLab this month, really happy with it. Great work!")
    job = _mention(
        "We're hiring a DevOps engineer (GitLab CI, Kubernetes), remote, salary 90k. Apply: https://jobs.example/1",
        author="jobsfeed",
    )
    marathon = _mention("Thanks to every runner who cheered at the marathon today, new personal best!")
    assert tickets_judge() == {"judged": 5, "written": 5}

    got = {name: _judged(t) for name, t in locals().items() if isinstance(t, Ticket)}
    assert got["question"].judgement == "needs_response" and got["question"].intent == "question"
    assert got["question"].judgement_reason.startswith("Asks: “How do I keep the cache")
    assert (got["outage"].judgement, got["outage"].intent, got["outage"].sentiment) == (
        "needs_response",
        "outage",
        "negative",
    )
    assert (got["praise"].judgement, got["praise"].intent, got["praise"].sentiment) == (
        "worth_knowing",
        "praise",
        "positive",
    )
    assert got["praise"].judgement_reason == "Praise, no question"
    assert (got["job"].judgement, got["job"].judgement_reason) == ("noise", "Job post")
    assert got["marathon"].judgement == "noise"
    assert got["marathon"].judgement_reason == "Not about GitLab: “runner” in another sense"
    assert all(t.judged_by == JudgedBy.DESK and t.judged_at and t.language == "en" for t in got.values())


def test_an_ingested_mention_is_judged_after_the_ingest_commits(search, django_capture_on_commit_callbacks):
    hit = story_hit(4242, int(time.time()) - 60, title="Ask HN: how do I mirror a GitLab repository to GitHub?")
    celery_app.conf.task_always_eager = True  # the worker's run, here and now
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            mentions_ingest(channel=search, mentions=HackerNewsAdapter().parse_payload(search_page([hit])))
        ticket = Ticket.objects.get(messages__external_id="4242")
        assert ticket.judged_at is None  # nothing judged inside the ingest's transaction
        for callback in callbacks:
            callback()
    finally:
        celery_app.conf.task_always_eager = False
    judged = _judged(ticket)
    assert (judged.judgement, judged.intent, judged.judged_by) == ("needs_response", "question", "desk")


def test_praise_with_a_question_needs_a_response():
    ticket = _mention("I love GitLab, the new editor is great! Is there a way to make dark mode the default?")
    tickets_judge()
    judged = _judged(ticket)
    assert judged.judgement == "needs_response" and judged.intent == "question"
    assert judged.judgement_reason.startswith("Praise with a question: “")


def test_language_and_sentiment_of_a_mention_in_another_language():
    ticket = _mention("Bonjour, comment limiter le déploiement GitLab à la branche main ? Merci d'avance.")
    tickets_judge()
    judged = _judged(ticket)
    assert (judged.language, judged.judgement, judged.sentiment) == ("fr", "needs_response", "neutral")


def test_a_run_judges_the_newest_first_and_leaves_an_advocates_judgement_alone():
    older = _mention("How do I rotate a runner token in GitLab?")
    newer = _mention("Which GitLab plan has merge request approvals?")
    corrected = _mention("GitLab question that an advocate already judged?")
    Ticket.objects.filter(pk=corrected.pk).update(judgement="noise", judged_by=JudgedBy.ADVOCATE, intent="other")

    assert tickets_judge(batch=1, batches=1) == {"judged": 1, "written": 1}
    assert _judged(newer).judged_at is not None and _judged(older).judged_at is None
    assert judgement_run.apply().get() == {"judged": 1, "written": 1}  # the task, as beat runs it
    assert _judged(older).judgement == "needs_response"
    assert (_judged(corrected).judgement, _judged(corrected).judged_by) == ("noise", "advocate")
    assert judgement_run.apply(args=([older.pk, newer.pk],)).get() == {"judged": 0, "written": 0}


def test_a_corrected_mention_teaches_the_next_near_identical_one():
    text = "Anyone else seeing GitLab runners pick up jobs from the wrong project today?"
    first = _mention(text)
    tickets_judge()
    assert _judged(first).judgement == "needs_response"

    advocate = AdvocateFactory()
    assert judgement_correct(first, "worth_knowing", advocate, intent="other")
    corrected = _judged(first)
    assert (corrected.judgement, corrected.judged_by) == ("worth_knowing", "advocate")
    event = TicketEvent.objects.get(ticket=first, kind=TicketEvent.Kind.JUDGEMENT)
    assert event.actor == advocate and (event.data["to"], event.data["intent_to"]) == ("worth_knowing", "other")

    again = _mention(text.replace("today", "today!"))
    tickets_judge()
    judged = _judged(again)
    assert (judged.judgement, judged.intent, judged.judged_by) == ("worth_knowing", "other", "desk")
    assert judged.judgement_reason == "As an advocate judged a near-identical mention"
    unlike = _mention("How do I set a GitLab CI variable only for tags?")
    tickets_judge()
    assert _judged(unlike).judgement == "needs_response"  # only near-identical mentions follow the correction


def test_the_evaluation_reports_the_development_set_and_leaves_nothing(capsys):
    before = Ticket.objects.count()
    call_command("judgement_evaluate", dataset=[str(DEVELOPMENT)], unsure_first="0,50")
    out = capsys.readouterr().out
    assert Ticket.objects.count() == before
    assert "== development:" in out and "163 mentions" in out
    figures = {
        line.rsplit(None, 1)[0].strip(): float(line.rsplit(None, 1)[1])
        for line in out.splitlines()
        if re.match(r"^  [a-z_]+ (precision|recall|accuracy) +[0-9.]+$", line)
    }
    # Floors under the figures docs/judgement.md gives, so a change that loses ground fails here. The set is one of
    # the shipped model's training sets: these say the intake path reads what the model learned.
    assert figures["needs_response precision"] >= 0.85
    assert figures["needs_response recall"] >= 0.95
    assert figures["noise precision"] >= 0.95
    assert figures["judgement accuracy"] >= 0.88
    # The learning curve measures the set without itself in the shipped rows (leave it out, then learn 50 of it):
    # the cold start is lower than above, and 50 corrections lift it.
    curve = {int(line.split()[0]): line.split() for line in out.splitlines() if re.match(r"^ +(0|50) +\d+ +\d+ ", line)}
    cold_precision, learned_precision = float(curve[0][3]), float(curve[50][3])
    assert cold_precision < figures["needs_response precision"] and learned_precision >= 0.95 > cold_precision


def test_the_evaluation_reads_a_set_about_another_product(tmp_path, capsys):
    def mention(n: int, platform: str, text: str, judgement: str, intent: str) -> dict:
        label = {"judgement": judgement, "intent": intent, "sentiment": "neutral", "language": "en"}
        return {"id": f"o-{n}", "platform": platform, "author": f"a{n}", "title": "", "text": text, "label": label}

    other = {
        "product": "Zentrik",
        "keywords": ["zentrik", "silo"],
        "mentions": [
            mention(
                1,
                "twitter",
                "How do I export my Zentrik silo to CSV? The button is greyed out.",
                "needs_response",
                "question",
            ),
            mention(
                2, "reddit", "The grain silo on our farm is full after a great harvest this year.", "noise", "other"
            ),
            mention(
                3,
                "mastodon",
                "Zentrik 4.0 is out today with a new dashboard https://news.example/g4",
                "worth_knowing",
                "other",
            ),
        ],
    }
    path = tmp_path / "other.json"
    path.write_text(json.dumps(other), encoding="utf-8")
    call_command("judgement_evaluate", "--dataset", str(path), "--at-once", "--misses")
    out = capsys.readouterr().out
    assert out.startswith(f"== other: {path} (Zentrik, 3 mentions,")
    assert "needs_response precision   1.000" in out and "noise precision            1.000" in out
    assert "judgement accuracy         1.000" in out
    assert not Ticket.objects.exists()


def test_a_post_with_no_title_is_read_once_and_a_subject_of_its_own_still_counts():
    """Intake makes a titleless post's subject from its first line: read as a title too, the text was counted
    twice and the reason quoted the question twice. A subject that is not the text's (an imported ticket's, an
    e-mail's) still stands in for the missing title."""
    from mentions.judgement.reading import first_mentions

    text = "We hit this too: pinned runner tags are gone after 18.6, which tag do we pin now?"
    tweet = TicketFactory(subject=text, channel=Channel.objects.get(slug__startswith="hn-"))
    MessageFactory(ticket=tweet, title="", body=text)
    imported = TicketFactory(subject="Runner cache lost between jobs", channel=tweet.channel)
    MessageFactory(ticket=imported, title="", body="It is always empty in the second job of my GitLab pipeline.")

    read = first_mentions([tweet.pk, imported.pk])
    assert (read[tweet.pk].title, read[imported.pk].title) == ("", "Runner cache lost between jobs")
    tickets_judge()
    assert _judged(tweet).judgement_reason == f"Asks: “{text}”"
