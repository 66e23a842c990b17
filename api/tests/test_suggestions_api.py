"""GET /api/tickets/{id}/suggestions/: the panel's suggestions, best first, for a token of someone who works
the queue; the schema names the path."""

from unittest.mock import patch

import pytest
from django.test import Client

from answers.index.follow import answers_index
from answers.models import StoredSuggestion
from answers.suggestions.stored import suggestions_store
from answers.tests.test_nothing_fits import PRAISE, REPEAT, gitlab_desk
from answers.tests.test_suggestions import answered, asking
from api.tokens import token_create
from mentions.tests.factories import AdvocateFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user, scope: str = "read") -> Client:
    secret = token_create(user=user, name="t", scope=scope, days=1)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_suggestions_best_first_with_reply_and_why():
    ada = AdvocateFactory(first_name="Ada", last_name="L")
    right = answered("Artifacts expire too early", "why do job artifacts expire after a day",
                     "Set expire_in: https://docs.example.com/ci/artifacts", user=ada)  # fmt: skip
    other = answered("Fork pipelines lose artifacts", "artifacts from fork pipelines expire after a day",
                     "Forks use the instance's default: https://docs.example.com/ci/forks")  # fmt: skip
    # Other topics beside them, as on any desk: a word two answers of two hold is no evidence of anything.
    answered(
        "Runner offline", "our runner shows offline since the upgrade", "Re-register it: https://docs.example.com/r"
    )
    answered(
        "Registry login fails", "docker login to the registry says denied", "Use a deploy token with read_registry"
    )
    answered("Pages site 404", "my pages site is a 404 after deploy", "Publish to public/: https://docs.example.com/p")
    answers_index()
    t = asking("artifacts expire", "Why do my artifacts expire after a day?")
    suggestions_store([t.pk])  # as the worker does when the ticket arrives (answers.suggestions.stored)

    body = _client(AdvocateFactory()).get(f"/api/tickets/{t.pk}/suggestions/").json()
    results = body["results"]
    assert [r["ticket"] for r in results][:2] == [right.pk, other.pk]
    assert results[0]["score"] > results[1]["score"]
    assert results[0]["reply"] == {
        "text": "Set expire_in: https://docs.example.com/ci/artifacts",
        "permalink": f"https://forum.example.com/t/{right.pk}/2",
    }
    assert results[0]["link"] == "https://docs.example.com/ci/artifacts"
    assert results[0]["answered_by"] == "Ada L"
    assert results[0]["why"][0].startswith("shares: ") and "expire" in results[0]["why"][0]
    assert results[0]["fit"] is None or 0.0 <= results[0]["fit"] <= 1.0
    assert body["pending"] is False


def test_nothing_fits_a_praise_mention_an_empty_list_while_a_repeat_gets_its_answer():
    desk = gitlab_desk()
    answers_index()
    client = _client(AdvocateFactory())
    praise, repeat = asking("", PRAISE), asking(*REPEAT)
    suggestions_store([praise.pk, repeat.pk])
    # The likeliest answer is kept unshown for the learning (answers.suggestions.stored), never listed.
    assert StoredSuggestion.objects.filter(ticket=praise, shown=False).exists()
    assert client.get(f"/api/tickets/{praise.pk}/suggestions/").json() == {"results": [], "pending": False}
    results = client.get(f"/api/tickets/{repeat.pk}/suggestions/").json()["results"]
    assert results[0]["ticket"] == desk["runner"].pk
    assert results[0]["why"][0].startswith("shares: ") and "runner" in results[0]["why"][0]
    assert "gitlab" not in results[0]["why"][0]  # the product's name is no evidence


def test_a_ticket_not_computed_yet_is_pending_and_queued_then_answered_from_the_stored_rows(
    django_capture_on_commit_callbacks,
):
    """Nothing stored yet: the API says so (not "nothing fits") and the worker is asked, once; the task run, the
    next call reads the stored rows."""
    from advocacy.celery import app

    right = answered("Artifacts expire too early", "why do job artifacts expire after a day", "Set expire_in")
    answered("Runner offline", "our runner shows offline since the upgrade", "Re-register it")
    answered("Registry login fails", "docker login to the registry says denied", "Use a deploy token")
    answers_index()
    t = asking("artifacts expire", "Why do my artifacts expire after a day?")
    client = _client(AdvocateFactory())
    with (
        patch.object(app.tasks["answers.suggest"], "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        body = client.get(f"/api/tickets/{t.pk}/suggestions/").json()
        client.get(f"/api/tickets/{t.pk}/suggestions/")
    assert body == {"results": [], "pending": True}
    assert [c.kwargs["args"] for c in queued.call_args_list] == [([t.pk],)]  # once, whatever the calls
    app.conf.task_always_eager = True
    try:
        app.tasks["answers.suggest"].delay([t.pk])
    finally:
        app.conf.task_always_eager = False
    body = client.get(f"/api/tickets/{t.pk}/suggestions/").json()
    assert body["pending"] is False and body["results"][0]["ticket"] == right.pk


def test_refused_without_the_queue_right_and_404_for_no_ticket():
    t = asking("artifacts expire", "artifacts")
    assert _client(UserFactory()).get(f"/api/tickets/{t.pk}/suggestions/").status_code == 403
    assert _client(AdvocateFactory()).get("/api/tickets/999999/suggestions/").status_code == 404
    assert Client().get(f"/api/tickets/{t.pk}/suggestions/").status_code in (401, 403)


def test_the_schema_describes_it(advocate_client):
    schema = advocate_client.get("/api/schema/?format=json").json()
    get = schema["paths"]["/api/tickets/{id}/suggestions/"]["get"]
    item = schema["components"]["schemas"]["Suggestion"]["properties"]
    assert get["operationId"] == "tickets_suggestions"
    assert {"ticket", "score", "reply", "why"} <= set(item)
