"""Earlier answers beside the composer: what is indexed, how they rank, what using one records, the panel.
No platform is called: tickets and our replies are stored as the ingest stores them (mentions factories)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from answers.index.follow import answers_index, answers_prune
from answers.models import Answer, SavedReply, Term
from answers.suggestions import candidates
from answers.suggestions import ranking as suggestions
from answers.suggestions.meaning import answers_meaning_fill
from answers.suggestions.ranking import text_suggestions, ticket_suggestions
from answers.suggestions.stored import suggestions_store
from channels.adapters.registry import platform_of
from mentions.meaning import ticket_vectors
from mentions.models import Message, Tag, Ticket, TicketEvent
from mentions.tests.factories import MessageFactory, TicketFactory, seen
from mentions.tests.pages import refused_page, result_slot

pytestmark = pytest.mark.django_db


def answered(title: str, question: str, reply: str, *, user=None, **ticket) -> Ticket:
    t = TicketFactory(subject=title, status=Ticket.Status.SOLVED, **ticket)
    t.first_reply_at = t.requested_at + timedelta(hours=1)
    t.save()
    MessageFactory(ticket=t, title=title, body=question)
    MessageFactory(ticket=t, kind=Message.Kind.OUR_REPLY, body=reply, author_user=user,
                   platform_created_at=t.first_reply_at, permalink=f"https://forum.example.com/t/{t.pk}/2")  # fmt: skip
    return t


def asking(title: str, question: str) -> Ticket:
    t = TicketFactory(subject=title)
    MessageFactory(ticket=t, title=title, body=question)
    return t


@pytest.fixture
def library():
    return {
        "artifacts": answered(
            "Artifacts expire too early",
            "Our job artifacts vanish after a day, how do we keep them longer?",
            "Set expire_in on the job's artifacts: https://docs.example.com/ci/artifacts#expire_in",
        ),
        "cache": answered(
            "Pipeline cache is never restored",
            "The pipeline cache key changes on every run so nothing is restored.",
            "Use cache:key:files with your lock file: https://docs.example.com/ci/caching",
        ),
        "runner": answered(
            "Job stuck pending",
            "My pipeline job is stuck pending forever, no runner picks it up.",
            "No runner has the job's tags: add the tag to a runner or untag the job. https://docs.example.com/runner/tags",
        ),
    }


def test_answered_tickets_are_indexed_once_and_others_are_not(library):
    merged = answered("Artifacts gone", "artifacts expire", "see docs https://docs.example.com/a")
    merged.merged_into = library["cache"]
    merged.save()
    spam = answered("Cheap artifacts", "buy artifacts", "no https://spam.example.com")
    spam.tags.add(Tag.objects.get_or_create(name="spam")[0])
    closed = TicketFactory(subject="Closed without a reply", status=Ticket.Status.SOLVED)
    closed.first_reply_at = closed.requested_at  # marked replied elsewhere, nothing of ours to show
    closed.save()
    MessageFactory(ticket=closed, body="artifacts expire")

    assert answers_index() == 3
    assert answers_index() == 0  # nothing twice
    assert set(Answer.objects.values_list("pk", flat=True)) == {t.pk for t in library.values()}
    assert Term.objects.get(term="").df == 3
    assert Term.objects.get(term="artifact").df == 1
    a = Answer.objects.get(pk=library["artifacts"].pk)
    assert a.link == "https://docs.example.com/ci/artifacts#expire_in"
    assert a.reply_permalink.startswith("https://forum.example.com/t/")


def test_a_later_reply_with_the_link_is_the_answer_over_a_first_holding_reply():
    t = answered("Registry 403", "docker push gives 403 denied", "Looking into it!")
    MessageFactory(ticket=t, kind=Message.Kind.OUR_REPLY, body="Fixed by https://docs.example.com/registry/auth",
                   platform_created_at=t.requested_at + timedelta(hours=2))  # fmt: skip
    answers_index()
    assert Answer.objects.get(pk=t.pk).reply.startswith("Fixed by")


def test_the_right_answer_comes_first_and_says_why(library):
    answers_index()
    t = asking("artifacts disappear", "Why do artifacts from my build expire after 24 hours?")
    answers_meaning_fill()
    ticket_vectors([t.pk])  # as the worker does at intake
    found = ticket_suggestions(t)
    assert found[0].ticket_id == library["artifacts"].pk
    assert found[0].why[0].startswith("shares: ")
    assert "artifacts" in found[0].why[0]
    assert found[0].answer.link == "https://docs.example.com/ci/artifacts#expire_in"


def test_a_rare_word_outweighs_common_ones():
    # Both earlier tickets share three words with the question ("pipeline", "job", "fail" on every CI ticket);
    # only one shares the telling word.
    common = [answered(f"Pipeline job fails {n}", "pipeline job fails again", f"Retry the pipeline job {n}")
              for n in range(30)]  # fmt: skip
    telling = answered("Pipeline job fails", "job fails with OOMKilled", "Raise the memory limit of the job")
    answers_index()
    # The common three are no evidence (in more than a fifth of the answers): the telling words are.
    assert text_suggestions("", "pipeline job fails: OOMKilled in the logs") == []  # one rare word is too little
    found = text_suggestions("", "pipeline job fails: OOMKilled in the logs, is the memory limit too low?")
    assert found[0].ticket_id == telling.pk
    assert found[0].why[0] == "shares: oomkilled, memory, limit"
    assert {s.ticket_id for s in found[1:]} <= {t.pk for t in common}


def test_merged_and_spam_after_indexing_are_not_suggested_and_pruned(library):
    answers_index()
    library["artifacts"].merged_into = library["cache"]
    library["artifacts"].save()
    assert library["artifacts"].pk not in {s.ticket_id for s in text_suggestions("artifacts", "artifacts expire")}
    assert answers_prune() == 1
    assert Term.objects.get(term="").df == 2
    assert Term.objects.get(term="artifact").df == 0


def test_the_ticket_itself_is_never_its_own_suggestion(library):
    answers_index()
    assert library["cache"].pk not in {s.ticket_id for s in ticket_suggestions(library["cache"])}


def test_using_an_answer_records_it_and_ranks_it_higher(library, advocate_client):
    answers_index()
    twin = answered("Runner never picks the job", "my pipeline job is stuck, runner idle", "Check the runner tags")
    answers_index()
    t = asking("job waits, runner idle", "pipeline job stuck pending while the runner is idle: what is wrong?")
    before = [s.ticket_id for s in ticket_suggestions(t)]
    used = next(pk for pk in before if pk in (library["runner"].pk, twin.pk) and pk != before[0])

    response = advocate_client.post(
        f"/answers/tickets/{t.pk}/use/{used}/", {"part": "reply"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response.json()["text"] == Answer.objects.get(pk=used).reply
    advocate_client.post(f"/answers/tickets/{t.pk}/use/{used}/", HTTP_ACCEPT="application/json")
    event = TicketEvent.objects.get(ticket=t, kind=TicketEvent.Kind.ANSWER_USED)  # once, though used twice
    assert event.actor == advocate_client.user and event.data["source"] == used
    answer = Answer.objects.get(pk=used)
    assert answer.uses == 1
    assert "wait" in answer.asked_terms.split()  # this ticket's words join the answer's
    assert ticket_suggestions(t)[0].ticket_id == used
    page = advocate_client.get(f"/tickets/{t.pk}/?history=1")
    assert f"used the earlier answer on #{used}" in page.content.decode()


def test_without_javascript_the_answer_joins_the_draft(library, advocate_client):
    answers_index()
    t = asking("artifacts expire", "artifacts expire early")
    t.reply_draft = "Hi there,"
    t.save()
    # The composer's form posted to the button's address: the reply box's text (here the saved draft) first.
    response = advocate_client.post(
        f"/answers/tickets/{t.pk}/use/{library['artifacts'].pk}/",
        {"part": "link", "body": "Hi there,", "seen": seen(t)},
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.reply_draft == "Hi there,\n\nhttps://docs.example.com/ci/artifacts#expire_in"
    gone = advocate_client.post(f"/answers/tickets/{t.pk}/use/999999/", {"body": "Kept", "seen": seen(t)})
    assert "no longer offered" in result_slot(refused_page(advocate_client, gone, t, "answers"), "answers")
    assert (
        advocate_client.post(f"/answers/tickets/{t.pk}/use/999999/", HTTP_ACCEPT="application/json").status_code == 404
    )


def test_the_panel_escapes_text_and_costs_the_same_for_more_answers(library, advocate_client):
    evil = answered("<script>alert(1)</script> artifacts", "artifacts <img src=x onerror=alert(1)>",
                    "artifacts expire: javascript:alert(1) <b>bold</b>")  # fmt: skip
    answers_index()
    # Only the words every answer here holds: on an index this small they are evidence (no fifth of 14 answers is
    # the 20 answers that make a word everyday), and all of the question.
    t = asking("artifacts expire", "artifacts expire: javascript alert, bold")
    answers_meaning_fill()
    ticket_vectors([t.pk])
    suggestions_store([t.pk], force=True)  # as the worker does when the ticket arrives
    url = f"/tickets/{t.pk}/panels/answers/"
    html = advocate_client.get(url).content.decode()
    assert f"#{evil.pk}" in html
    assert f'answer-by">{platform_of(evil.channel.kind).label} · ' in html  # where it was asked, by its label
    assert "<script>alert" not in html and "<b>bold" not in html and "&lt;script&gt;" in html
    with CaptureQueriesContext(connection) as few:
        advocate_client.get(url)
    for n in range(10):
        answered(f"artifacts {n}", "artifacts expire", f"set expire_in {n} https://docs.example.com/{n}")
    for n in range(10):  # saved one by one, as admin does: the page's kept list is bumped by each
        SavedReply.objects.create(title=f"Reply {n}", body="Hi {requester}")
    answers_index()
    answers_meaning_fill()
    suggestions_store([t.pk], force=True)
    advocate_client.get(url)  # the factories made channels: the product's words are read again once (answers.product)
    with CaptureQueriesContext(connection) as more:
        response = advocate_client.get(url)
    assert response.content.decode().count('data-testid="answer-suggestion"') >= 1
    assert len(more) == len(few)


def test_nothing_alike_says_so(library, advocate_client):
    answers_index()
    t = asking("Billing address", "How do I change the billing address on my invoice?")
    assert ticket_suggestions(t) == []
    suggestions_store([t.pk])
    assert (
        "No earlier answer fits this mention."
        in advocate_client.get(f"/tickets/{t.pk}/panels/answers/").content.decode()
    )


def test_the_panel_reads_its_stored_suggestions_in_three_queries_whatever_the_index_holds(
    library, rf, django_assert_num_queries
):
    """The stored suggestions with their answers and who answered (one query: answers.suggestions.stored), the saved
    replies, whether a knowledge source is on. No search at view time: the worker stored them
    (answers.suggestions.stored)."""
    from answers.views import answers_panel

    answers_index()
    for n in range(10):
        answered(f"artifacts {n}", "artifacts expire", f"set expire_in {n} https://docs.example.com/{n}")
    answers_index()
    answers_meaning_fill()
    t = Ticket.objects.select_related("channel").get(
        pk=asking("artifacts expire", "Our job artifacts expire after a day: how do we keep them longer?").pk
    )
    suggestions_store([t.pk])  # its meaning too, as the worker does
    request = rf.get(f"/tickets/{t.pk}/")
    with django_assert_num_queries(3):
        found = answers_panel(request, t, {})["suggestions"]
    assert found and found[0].ticket_id == library["artifacts"].pk
    assert [s.answered_by for s in found] and all(s.answer.reply for s in found)  # read with the rows, no query more


def test_computing_a_tickets_suggestions_asks_as_many_queries_whatever_the_index_holds(library):
    """What the worker asks to compute one ticket's suggestions (answers.suggestions.stored): the question, its stored
    meaning, the stems' counts, the candidates with their rows, the plain full-text list, the meaning list, the rows the
    other two found; the synonyms, the product's words and the meaning cells from the cache once read. Ten answers
    more ask nothing more."""
    from django.core.cache import cache

    from advocacy.embeddings import model_name
    from answers.suggestions.cells import CACHE_KEY

    def counted(ticket: Ticket) -> int:
        ticket_suggestions(ticket)  # the caches filled
        with CaptureQueriesContext(connection) as queries:
            ticket_suggestions(ticket)
        return len(queries)

    answers_index()
    t = Ticket.objects.get(pk=asking("artifacts expire", "artifacts expire?").pk)
    answers_meaning_fill()
    ticket_vectors([t.pk])
    cache.delete(CACHE_KEY.format(model=model_name()))
    few = counted(t)
    for n in range(10):
        answered(f"artifacts {n}", "artifacts expire", f"set expire_in {n} https://docs.example.com/{n}")
    answers_index()
    answers_meaning_fill()
    cache.delete(CACHE_KEY.format(model=model_name()))
    assert counted(t) == few <= 7 + 3  # 3: the candidates' own transaction (a savepoint here) and its SET LOCAL


def test_a_question_of_only_common_stems_finds_the_answers_holding_its_rarest_three(library, monkeypatch):
    # Every stem more common than the budget: the first pass asks for the answers holding all of the rarest
    # three (capped at the budget's rows), not for any of them.

    answers_index()
    monkeypatch.setattr(candidates, "ALL_OF_ABOVE", 0)
    found = text_suggestions("", "pipeline cache key never restored")
    assert [s.ticket_id for s in found][:1] == [library["cache"].pk]
    # No answer holds the rarest three, so the first pass finds none (the plain list may still offer some).
    terms, _, _ = suggestions._weighted(["artifact", "cach", "runner", "tag"], [], frozenset())
    assert candidates.first_pass(terms, "", []) == ([], {})
