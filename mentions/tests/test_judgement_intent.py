"""The learned intent and sentiment at intake (issue 68, mentions.judgement.intent, combine.py): praise with a bug
report is both, sarcasm is not praise, noise is other and neutral, a polite question is neutral, the author's
follow-up is read for the intent. The mention texts
are written here for the tests, stored on a Hacker News channel with the factories and judged by the worker's run."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command

from channels.models import Channel
from mentions.judgement.evaluation import DEVELOPMENT
from mentions.judgement.run import tickets_judge
from mentions.models import Ticket
from mentions.tests.factories import ChannelFactory, MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def search():
    return ChannelFactory(config={"keywords": ["gitlab", "runner", "pipeline"]})


def _mention(text: str, *, title: str = "", author: str = "someone", follow_up: str = "", by: str = "") -> Ticket:
    ticket = TicketFactory(subject=title, channel=Channel.objects.get(slug__startswith="hn-"))
    first = MessageFactory(ticket=ticket, title=title, body=text, author_handle=author)
    if follow_up:
        MessageFactory(
            ticket=ticket,
            body=follow_up,
            author_handle=by or author,
            platform_created_at=first.platform_created_at + timedelta(minutes=5),
        )
    return ticket


def _judged(ticket: Ticket) -> tuple[str, str, str, str]:
    row = Ticket.objects.get(pk=ticket.pk)
    return row.judgement, row.intent, row.sentiment, row.judgement_reason


def test_praise_with_a_bug_report_is_both_a_bug_and_positive():
    both = _mention("Love GitLab, but the CSV export crashes on projects with more than 10k issues.")
    tickets_judge()
    assert _judged(both) == ("needs_response", "bug", "positive", "Praise, and reports a bug")


def test_sarcasm_praise_with_a_question_and_plain_praise_are_not_a_praised_bug_report():
    sarcasm = _mention("love how GitLab's export crashes every single release 🙃 really keeps the job exciting")
    question = _mention("GitLab is great, but why does the export crash on big projects? Any workaround?")
    praise = _mention("Moved our team to GitLab this month, really happy with it. Great work!")
    tickets_judge()

    # Sarcasm is not praise: the rule that makes praise and a failure a bug report leaves it alone.
    assert _judged(sarcasm)[1] != "bug" and _judged(sarcasm)[3] != "Praise, and reports a bug"
    assert _judged(question)[:3] == ("needs_response", "question", "positive")
    assert _judged(question)[3].startswith("Praise with a question: “")
    assert _judged(praise)[:3] == ("worth_knowing", "praise", "positive")


def test_noise_is_other_and_neutral_whatever_its_tone():
    marathon = _mention("Thanks to every runner who cheered at the marathon today, what an amazing new personal best!")
    tickets_judge()
    assert _judged(marathon)[:3] == ("noise", "other", "neutral")


def test_a_polite_question_in_another_language_is_neutral():
    polite = _mention("Bonjour, comment limiter le déploiement GitLab à la branche main ? Merci d'avance.")
    tickets_judge()
    assert _judged(polite)[:3] == ("needs_response", "question", "neutral")


def test_the_authors_follow_up_is_read_for_the_intent_and_another_authors_is_not():
    first = "Is there a way to get GitLab to show pipeline durations per stage?"
    later = "would be nice to have this built in, please add it to the roadmap"
    alone = _mention(first, author="ana")
    followed = _mention(first, author="ana", follow_up=later)
    answered = _mention(first, author="ana", follow_up=later, by="someone_else")
    broken = _mention(
        "How do I export all issues of a GitLab project to CSV?",
        author="ana",
        follow_up="Update: the export now crashes with a 500 error every time, and since this morning gitlab.com is "
        "down for everyone here, all requests time out.",
    )
    tickets_judge()

    assert _judged(alone)[:2] == ("needs_response", "question")
    assert _judged(followed)[:3] == ("needs_response", "feature_request", "neutral")
    assert _judged(answered)[:2] == ("needs_response", "question")
    assert _judged(broken)[:3] == ("needs_response", "outage", "negative")


def test_the_development_set_measured_without_itself_reads_intent_and_sentiment_better_than_before(capsys):
    # `--without-itself`: the shipped judgement, second opinion and intent refitted without GitLab's set, as a
    # product the desk never saw. Before issue 68 (the seeds' neighbours and VADER), with the same judgement: intent
    # 0.663, sentiment 0.656; with the learned reading 0.712 and 0.742 (docs/judgement.md).
    call_command("judgement_evaluate", dataset=[str(DEVELOPMENT)], without_itself=True, at_once=True)
    figures = {
        line.rsplit(None, 1)[0].strip(): float(line.rsplit(None, 1)[1])
        for line in capsys.readouterr().out.splitlines()
        if re.match(r"^  [a-z_]+ (precision|recall|accuracy) +[0-9.]+$", line)
    }
    assert figures["intent accuracy"] >= 0.70 and figures["sentiment accuracy"] >= 0.72
    assert figures["judgement accuracy"] < 0.88  # measured without itself: below the in-sample 0.914
