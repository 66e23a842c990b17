"""Suggestions computed once in the worker and stored on the ticket (answers.suggestions.stored): queued after an ingest
and computed by the meaning queue's task, read by the panel in one query (never a search at view time), "Looking for
earlier answers…" and queued once when nothing is stored yet, computed again when the index changed materially,
and never offering a reply deleted from the platform or an erased person's answer, from the moment the desk knows.
Tickets and replies come through the real ingest (shapes: answers/tests/test_deleted_replies.py)."""

from __future__ import annotations

from dataclasses import replace
from unittest.mock import patch

import pytest
import responses
from django.test import Client

from advocacy.celery import app
from answers import views
from answers.fit.label import FIT_THRESHOLD
from answers.index.follow import answers_index
from answers.models import StoredSuggestion, SuggestionFeedback, SuggestionsState
from answers.suggestions import stored
from answers.suggestions.feedback import feedback_reply_sent
from answers.suggestions.meaning import answers_meaning_fill
from answers.suggestions.stored import (
    generation_added,
    generation_current,
    stale_ids,
    suggestions_refresh,
    suggestions_store,
)
from answers.tasks import index as answers_index_task
from answers.tests.test_deleted_replies import QUESTION, REPLY, asked
from answers.tests.test_suggestions import answered, asking
from channels.adapters.twitter.client import API_ROOT
from channels.tests.factories import ChannelFactory
from intake.hooks import tickets_after_ingest
from intake.pipeline import mentions_ingest
from mentions.models import Ticket
from mentions.tests.factories import AdvocateFactory, ManagerFactory

pytestmark = pytest.mark.django_db


def _panel(client: Client, ticket: Ticket) -> str:
    return client.get(f"/tickets/{ticket.pk}/panels/answers/").content.decode()


@pytest.fixture
def library() -> dict[str, Ticket]:
    return _library()


def _stored(ticket: Ticket) -> list[int | None]:
    rows = StoredSuggestion.objects.filter(ticket=ticket, shown=True).order_by("rank")
    return list(rows.values_list("answer_id", flat=True))


def _library() -> dict[str, Ticket]:
    return {
        "artifacts": answered(
            "Artifacts expire too early",
            "why do job artifacts expire after a day",
            "Set expire_in: https://docs.example.com/ci/artifacts",
        ),
        "forks": answered(
            "Fork pipelines lose artifacts",
            "artifacts from fork pipelines expire after a day",
            "Forks use the default: https://docs.example.com/ci/forks",
        ),
        "runner": answered("Runner offline", "our runner shows offline since the upgrade", "Re-register it"),
        "registry": answered("Registry login fails", "docker login says denied", "Use a deploy token"),
    }


def test_after_an_ingest_the_worker_computes_and_stores_them_once(library, django_capture_on_commit_callbacks):
    answers_index()
    answers_meaning_fill()  # as the meaning queue's beat does
    t = asking("artifacts expire", "Why do my artifacts expire after a day?")
    app.conf.task_always_eager = True
    try:
        # The after-ingest task (meaning queue) queues answers.suggest, which stores them (eager here).
        with django_capture_on_commit_callbacks(execute=True):
            figures = tickets_after_ingest(ticket_ids=[t.pk])
    finally:
        app.conf.task_always_eager = False
    assert figures["suggestions_queued"] == 1
    rows = _stored(t)
    assert rows[0] is None and rows[1:3] == [library["artifacts"].pk, library["forks"].pk]  # the marker, then best
    marker = StoredSuggestion.objects.get(ticket=t, rank=0)
    assert marker.generation == generation_current()
    first = StoredSuggestion.objects.get(ticket=t, rank=1)
    assert first.why and first.why[0].startswith("shares: ") and first.score > 0
    # Idempotent: stored at the current generation, the task computes nothing again.
    assert suggestions_store([t.pk]) == 0
    assert StoredSuggestion.objects.get(ticket=t, rank=1).pk == first.pk


def test_nothing_stored_yet_says_looking_queues_once_then_shows_what_the_worker_stored(
    library, advocate_client, django_capture_on_commit_callbacks
):
    answers_index()
    answers_meaning_fill()  # as the meaning queue's beat does
    t = asking("artifacts expire", "Why do my artifacts expire after a day?")
    with (
        patch.object(app.tasks["answers.suggest"], "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        html = _panel(advocate_client, t)
        again = _panel(advocate_client, t)  # the panel's own poll, seconds later
    assert "Looking for earlier answers…" in html and 'data-testid="answer-looking"' in html
    # Its poll asks for this section alone: the saved replies and the reply box are never replaced under the hands.
    assert f'hx-get="/answers/tickets/{t.pk}/before/?poll=1"' in html and 'hx-trigger="every 4s"' in html
    assert "No earlier answer fits" not in html and 'data-testid="answer-suggestion"' not in html
    assert "Looking for earlier answers…" in again
    assert [c.kwargs["args"] for c in queued.call_args_list] == [([t.pk],)]
    assert not StoredSuggestion.objects.filter(ticket=t).exists()  # nothing searched in the request

    suggestions_store([t.pk])  # the worker's run
    html = _panel(advocate_client, t)
    assert "Looking for earlier answers" not in html and "every 4s" not in html
    assert f'data-ticket="{library["artifacts"].pk}"' in html


def test_the_looking_poll_replaces_its_section_alone_and_gives_up_after_a_minute(library, advocate_client):
    """While nothing is stored the saved replies are open beside "Looking…" (an advocate can answer at once); the
    poll's answer is the "Answered before" section alone, and after a minute of polls it stops and says the worker
    is late instead of asking forever."""
    answers_index()
    t = asking("artifacts expire", "Why do my artifacts expire after a day?")
    panel = _panel(advocate_client, t)
    assert '<details class="saved-picker" id="saved-picker" data-testid="saved-picker" open>' in panel

    section = advocate_client.get(f"/answers/tickets/{t.pk}/before/?poll=3").content.decode()
    assert section.lstrip().startswith('<section aria-labelledby="answers-earlier" id="answers-before"')
    assert "saved-picker" not in section and "Looking for earlier answers…" in section
    assert f'hx-get="/answers/tickets/{t.pk}/before/?poll=4"' in section

    last = advocate_client.get(f"/answers/tickets/{t.pk}/before/?poll={views.POLLS}").content.decode()
    assert "hx-trigger" not in last and "The worker has not looked yet" in last
    assert advocate_client.get(f"/answers/tickets/{t.pk}/before/?poll=junk").status_code == 200

    suggestions_store([t.pk])  # the worker's run: the next poll shows them and asks no more
    shown = advocate_client.get(f"/answers/tickets/{t.pk}/before/?poll=5").content.decode()
    assert f'data-ticket="{library["artifacts"].pk}"' in shown and "hx-trigger" not in shown


def test_computed_with_nothing_fitting_says_so_not_looking(library, advocate_client):
    answers_index()
    answers_meaning_fill()  # as the meaning queue's beat does
    t = asking("Billing address", "How do I change the billing address on my invoice?")
    suggestions_store([t.pk])
    assert _stored(t) == [None]
    html = _panel(advocate_client, t)
    assert "No earlier answer fits this mention." in html and "Looking" not in html


def test_nothing_shown_then_a_reply_from_scratch_labels_the_likeliest_unshown_one_does_not_fit(
    library, advocate_client
):
    """The learning must see what the desk kept quiet about, not only what it showed: otherwise its labels are
    nearly all "fits" (inserted) and it learns to show more (answers.fit.use). The API never lists the unshown one
    either (api/tests/test_suggestions_api.py)."""
    answers_index()
    answers_meaning_fill()
    t = asking("Runner billing", "Is the runner minutes quota billed per project or per group on the invoice?")
    suggestions_store([t.pk])
    hidden = StoredSuggestion.objects.get(ticket=t, shown=False)
    assert (
        hidden.answer_id in {a.pk for a in library.values()} and (hidden.fit or 0.0) < FIT_THRESHOLD and hidden.features
    )
    html = _panel(advocate_client, t)
    assert "No earlier answer fits this mention." in html and f'data-ticket="{hidden.answer_id}"' not in html

    assert feedback_reply_sent(ticket_id=t.pk)  # a reply of ours, written without any suggestion
    label = SuggestionFeedback.objects.get(ticket=t)
    assert (label.answer_ticket_id, label.outcome) == (hidden.answer_id, "ignored")
    assert label.features == hidden.features and label.fit == hidden.fit


def test_doesnt_fit_records_it_with_its_features_and_it_leaves_the_panel(library, advocate_client):
    answers_index()
    answers_meaning_fill()  # as the meaning queue's beat does
    t = asking("artifacts expire", "Why do my artifacts expire after a day?")
    suggestions_store([t.pk])
    StoredSuggestion.objects.filter(ticket=t, rank=1).update(fit=0.8, features={"bm25": 2.5})
    html = _panel(advocate_client, t)
    dismiss = f"/answers/tickets/{t.pk}/dismiss/{library['artifacts'].pk}/"
    # A real button in its own form: keyboard-reachable, posts without JavaScript; htmx swaps its item away.
    assert f'<form method="post" action="{dismiss}" class="answer-dismiss" hx-post="{dismiss}"' in html
    assert 'hx-target="closest li" hx-swap="outerHTML"' in html
    assert '<button class="btn link small" type="submit" data-testid="answer-dismiss"' in html

    response = advocate_client.post(dismiss, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.content == b""
    feedback = SuggestionFeedback.objects.get(ticket=t, answer_ticket=library["artifacts"])
    assert (feedback.outcome, feedback.rank, feedback.fit, feedback.features) == ("dismissed", 1, 0.8, {"bm25": 2.5})
    assert feedback.score == StoredSuggestion.objects.get(ticket=t, rank=1).score
    html = _panel(advocate_client, t)
    assert f'data-ticket="{library["artifacts"].pk}"' not in html
    assert f'data-ticket="{library["forks"].pk}"' in html

    # Without JavaScript: the ticket page comes back, without it.
    forks = f"/answers/tickets/{t.pk}/dismiss/{library['forks'].pk}/"
    response = advocate_client.post(forks)
    assert response.status_code == 302 and response["Location"] == f"/tickets/{t.pk}/"
    assert f'data-ticket="{library["forks"].pk}"' not in _panel(advocate_client, t)


def test_insert_records_inserted_and_a_reply_sent_without_one_records_the_top_ignored(library, advocate_client):
    answers_index()
    answers_meaning_fill()  # as the meaning queue's beat does
    used = asking("artifacts expire", "Why do my artifacts expire after a day?")
    unused = asking("fork pipelines", "fork pipelines lose artifacts, they expire after a day")
    suggestions_store([used.pk, unused.pk])
    response = advocate_client.post(
        f"/answers/tickets/{used.pk}/use/{library['forks'].pk}/", {"part": "reply"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert SuggestionFeedback.objects.get(ticket=used).outcome == "inserted"

    from mentions.services.reply_hooks import reply_sent  # as mentions.services.replies calls it when sent

    user = AdvocateFactory()
    reply_sent(ticket_id=used.pk, user=user)  # one was inserted: nothing ignored
    reply_sent(ticket_id=unused.pk, user=user)
    reply_sent(ticket_id=unused.pk, user=user)  # a second reply records nothing more
    assert list(SuggestionFeedback.objects.filter(ticket=used).values_list("outcome", flat=True)) == ["inserted"]
    ignored = SuggestionFeedback.objects.get(ticket=unused)
    top = StoredSuggestion.objects.get(ticket=unused, rank=1)
    assert (ignored.outcome, ignored.answer_ticket_id, ignored.rank) == ("ignored", top.answer_id, 1)


def test_many_new_answers_bump_the_generation_and_beat_computes_the_open_tickets_again(library):
    answers_index()
    answers_meaning_fill()  # as the meaning queue's beat does
    t = asking("artifacts expire", "Why do my artifacts expire after a day?")
    suggestions_store([t.pk])
    before = generation_current()
    assert stale_ids() == [] or t.pk not in stale_ids()
    assert generation_added(stored.MATERIAL_MIN - 1) is False  # a few answers: no material change
    assert generation_current() == before
    newer = answered("Artifacts expire on forks too", "artifacts expire after a day on forks", "Use expire_in")
    # The index task adds the answers and bumps the generation once they are a material share (here: one more).
    with patch.object(stored, "MATERIAL_MIN", 1):
        answers_index_task.apply().get()
        answers_meaning_fill()
    assert generation_current() == before + 1 and SuggestionsState.objects.get().added_since == 0
    assert t.pk in stale_ids()
    assert suggestions_refresh() >= 1
    assert newer.pk in _stored(t) and t.pk not in stale_ids()
    assert StoredSuggestion.objects.get(ticket=t, rank=0).generation == before + 1


def test_a_reply_deleted_on_the_platform_drops_the_stored_rows_offering_it_at_once():
    channel = ChannelFactory()
    mentions_ingest(channel=channel, mentions=[QUESTION, REPLY])
    theirs = Ticket.objects.get(requester_handle="vera_k")
    answers_index_task.apply().get()
    answers_meaning_fill()
    question = asked(channel)
    suggestions_store([question.pk])
    assert _stored(question) == [None, theirs.pk]

    # A later poll sees our reply gone: the row offering it goes in the same ingest, not at the next refresh.
    mentions_ingest(channel=channel, mentions=[replace(REPLY, deleted=True)])
    assert _stored(question) == [None]
    assert StoredSuggestion.objects.get(ticket=question, rank=0).generation == 0  # computed again next refresh
    client = Client()
    client.force_login(AdvocateFactory())
    assert f'data-ticket="{theirs.pk}"' not in _panel(client, question)


@responses.activate
def test_deleting_our_reply_from_the_desk_drops_them_too():
    """The Delete button on the ticket page (mentions.services.platform_actions.reply_delete), on X."""
    from mentions.services.platform_actions import reply_delete
    from mentions.tests.test_platform_actions import _our_reply
    from mentions.tests.test_send_reply import _ticket_from, _tweet

    theirs = _ticket_from(_tweet("1860000000000000001", "@GitLab our self-managed runners lose artifacts overnight"))
    advocate = AdvocateFactory()
    ours = _our_reply(theirs, author=advocate)
    Ticket.objects.filter(pk=theirs.pk).update(first_reply_at=ours.platform_created_at)
    _library()  # other answers beside it, as on any desk
    answers_index()
    answers_meaning_fill()  # as the meaning queue's beat does
    question = asking("runners lose artifacts", "our self-managed runners lose artifacts overnight, why?")
    suggestions_store([question.pk])
    assert theirs.pk in _stored(question)
    responses.delete(f"{API_ROOT}/tweets/1860000000000000050", json={"data": {"deleted": True}})

    assert reply_delete(ticket=theirs, message_id=ours.pk, user=advocate, confirmed=True) is True
    assert theirs.pk not in _stored(question) and None in _stored(question)


def test_erasing_the_person_drops_the_rows_of_their_ticket_and_those_offering_their_answer(library):
    from people.privacy import person_erase
    from people.tests.factories import IdentityFactory, PersonFactory, ticket_from

    identity = IdentityFactory(handle="zyx_qoppa_42", key="zyx_qoppa_42", person=PersonFactory(name="Zyxwvut Qoppa"))
    theirs = ticket_from(identity, subject="Artifacts expire", body="Zyxwvut here: my artifacts expire after a day")
    answers_index()
    answers_meaning_fill()  # as the meaning queue's beat does
    other = asking("artifacts expire", "Why do my artifacts expire after a day, Zyxwvut?")
    suggestions_store([theirs.pk, other.pk])
    assert StoredSuggestion.objects.filter(ticket=theirs).exists()
    # Another asker's question quoted their handle: the "why" of that ticket's suggestion shows it.
    assert StoredSuggestion.objects.filter(ticket=other, rank=1).update(why=["shares: zyx_qoppa_42, artifacts"]) == 1

    person_erase(person=identity.person, actor=ManagerFactory(), via="api")
    assert not StoredSuggestion.objects.filter(ticket=theirs).exists()
    assert "zyx_qoppa_42" not in str(list(StoredSuggestion.objects.values_list("why", flat=True))).casefold()
