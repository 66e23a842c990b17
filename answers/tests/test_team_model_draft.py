"""The team model's draft reply (answers.team_draft): built in the worker from the thread, the earlier answers that
fit and our docs index, stored, shown in the composer as "Draft from <model>", put in the reply box or dismissed
by an advocate, and never sent by itself.

Shapes: the request and the answer are OpenAI's chat completions (API reference, "Create chat completion"), as
Ollama's OpenAI compatibility (docs/openai.md) and llama.cpp's server (tools/server/README.md) serve them; the
fake is mentions/tests/openai_fake.py. No platform is called: the tickets are stored as the ingest stores them."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import responses

from answers.index.follow import answers_index
from answers.knowledge_models import DocPage
from answers.tasks import team_model_draft
from answers.terms import text_terms
from answers.tests.knowledge_helpers import source
from answers.tests.test_suggestions import answered, asking
from mentions.models import Message, ReplySend, TeamModelEndpoint, TeamModelOutput, Ticket
from mentions.tests.factories import MessageFactory, seen
from mentions.tests.openai_fake import Reply, answer, endpoint_configure, fake_openai

pytestmark = pytest.mark.django_db

DRAFT = "Hi! Key the cache on your lock file with cache:key:files, see https://docs.example.com/ci/caching"


@pytest.fixture
def fake():
    with fake_openai() as server:
        yield server


@pytest.fixture
def desk():
    """An earlier answer that fits, our docs page about it, and a ticket asking the same."""
    earlier = answered(
        "Pipeline cache is never restored",
        "The pipeline cache key changes on every run so nothing is restored.",
        "Use cache:key:files with your lock file: https://docs.example.com/ci/caching",
    )
    answers_index()
    docs = source("docs")
    text = "Caching in pipelines. Use cache:key:files to restore the cache when the lock file is unchanged."
    DocPage.objects.create(
        source=docs, url="https://docs.example.com/ci/caching", title="Caching in GitLab CI/CD", text=text,
        title_terms=" ".join(text_terms("Caching in GitLab CI/CD")), terms=" ".join(text_terms(text)),
    )  # fmt: skip
    ticket = asking("Cache never restored", "Our pipeline cache is never restored between runs, the key changes.")
    return {"earlier": earlier, "ticket": ticket}


def draft(ticket: Ticket) -> bool:
    return team_model_draft.apply(args=(ticket.pk,)).get()


def test_the_draft_is_built_from_the_thread_earlier_answers_and_docs(fake, desk):
    fake.replies = [answer(DRAFT)]
    endpoint_configure(fake)
    ticket = desk["ticket"]
    assert draft(ticket) is True
    (request,) = fake.seen
    system, user = (m["content"] for m in request.body["messages"])
    assert "A team member reads your draft, edits it and sends it" in system and "GitLab" in system
    assert "Member 1:\nOur pipeline cache is never restored" in user
    assert "Our reply: Use cache:key:files with your lock file" in user  # the earlier answer that fits
    assert "Caching in GitLab CI/CD (https://docs.example.com/ci/caching)" in user  # our docs' passage
    assert ticket.requester_handle not in user
    output = TeamModelOutput.objects.get(ticket=ticket)
    assert (output.draft, output.draft_model, output.draft_dismissed_at) == (DRAFT, "llama3.1:8b", None)


@responses.activate  # any call to a platform would fail here: nothing is posted
def test_a_draft_is_never_sent_by_itself_nor_written_into_the_reply_box(fake, desk):
    responses.add_passthru(fake.base_url)  # the team's endpoint alone is reached
    fake.replies = [answer(DRAFT)]
    endpoint_configure(fake)
    ticket = desk["ticket"]
    draft(ticket)
    ticket.refresh_from_db()
    assert ticket.reply_draft == "" and ticket.status == Ticket.Status.NEW
    assert not ReplySend.objects.exists() and not ticket.messages.exclude(kind=Message.Kind.INBOUND).exists()
    assert len(responses.calls) == 0 and fake.requests == 1  # passed through to the team's endpoint only
    assert TeamModelOutput.objects.get(ticket=ticket).draft == DRAFT


def test_once_per_question_and_again_for_a_new_one(fake, desk):
    fake.replies = [answer(DRAFT), answer("A second draft.")]
    endpoint_configure(fake)
    ticket = desk["ticket"]
    assert draft(ticket) and not draft(ticket)
    assert fake.requests == 1
    MessageFactory(ticket=ticket, body="Any news?", platform_created_at=ticket.requested_at + timedelta(hours=2))
    assert draft(ticket) and TeamModelOutput.objects.get(ticket=ticket).draft == "A second draft."


def test_the_composer_shows_the_draft_to_use_escaped(advocate_client, desk):
    ticket = desk["ticket"]
    TeamModelOutput.objects.create(
        ticket=ticket, draft="Hi <b>there</b>,\nuse cache:key:files.", draft_model="qwen2.5:7b", draft_message_id=1
    )
    page = advocate_client.get(ticket.get_absolute_url()).content.decode()
    composer = page[page.index('id="composer"') :]
    assert 'data-testid="team-draft"' in composer
    assert "Draft from qwen2.5:7b" in composer and "nothing is sent until you send it" in composer
    assert "Hi &lt;b&gt;there&lt;/b&gt;,<br>use cache:key:files." in composer
    use = f'form="composer-reply" formaction="/tickets/{ticket.pk}/team-draft/use/"'
    assert use in composer and "data-answer-use" in composer


def test_put_in_the_reply_box_after_the_typed_text_without_javascript(advocate_client, desk):
    ticket = desk["ticket"]
    TeamModelOutput.objects.create(ticket=ticket, draft=DRAFT, draft_model="m", draft_message_id=1)
    url = f"/tickets/{ticket.pk}/team-draft/use/"
    response = advocate_client.post(url, {"body": "Thanks for asking!", "seen": seen(ticket)})
    assert response.status_code == 302 and response["Location"].endswith("#composer")
    ticket.refresh_from_db()
    assert ticket.reply_draft == f"Thanks for asking!\n\n{DRAFT}"
    assert not ReplySend.objects.exists()
    # With JavaScript the page asks for the text (answers.js puts it at the cursor): nothing is written.
    assert advocate_client.post(url, HTTP_ACCEPT="application/json").json() == {"text": DRAFT}


def test_dismissed_it_leaves_the_composer_and_is_not_written_again(fake, advocate_client, desk):
    fake.replies = [answer(DRAFT)]
    endpoint_configure(fake)
    ticket = desk["ticket"]
    draft(ticket)
    response = advocate_client.post(f"/tickets/{ticket.pk}/team-draft/dismiss/")
    assert response.status_code == 302
    assert 'data-testid="team-draft"' not in advocate_client.get(ticket.get_absolute_url()).content.decode()
    output = TeamModelOutput.objects.get(ticket=ticket)
    assert output.draft_dismissed_by == advocate_client.user and not draft(ticket)
    used = advocate_client.post(f"/tickets/{ticket.pk}/team-draft/use/", HTTP_ACCEPT="application/json")
    assert used.status_code == 404


def test_an_opted_out_channel_sends_nothing_and_its_answers_are_left_out(fake, desk):
    fake.replies = [answer(DRAFT)]
    row = endpoint_configure(fake)
    row.opted_out_channels.add(desk["earlier"].channel)
    ticket = desk["ticket"]
    assert draft(ticket)
    assert "Our reply:" not in fake.seen[0].body["messages"][1]["content"]  # the earlier answer's channel opted out
    TeamModelEndpoint.objects.get().opted_out_channels.add(ticket.channel)
    MessageFactory(ticket=ticket, body="Any news?", platform_created_at=ticket.requested_at + timedelta(hours=2))
    assert not draft(ticket) and fake.requests == 1


def test_a_failure_leaves_no_draft_and_is_logged(fake, desk, caplog):
    fake.replies = [Reply(status=500)]
    endpoint_configure(fake, drafts=True)
    with caplog.at_level(logging.WARNING, logger="mentions.assistant"):
        assert not draft(desk["ticket"])
    assert "answered 500" in caplog.text and not TeamModelOutput.objects.exists()


def test_drafts_off_a_solved_ticket_or_no_endpoint_send_nothing(fake, desk):
    ticket = desk["ticket"]
    assert not draft(ticket)
    endpoint_configure(fake, drafts=False)
    assert not draft(ticket)
    TeamModelEndpoint.objects.update(drafts=True)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.SOLVED)
    assert not draft(ticket) and fake.requests == 0
