"""The team model's admin: one row, the API key write-only and never shown back, the address checked, "Test the
connection" asked of the worker with its result beside the endpoint, the requests per day in a small table.

Shapes: the connection test's request and answer are OpenAI's chat completions (API reference, "Create chat
completion"), as Ollama and llama.cpp's server serve them; the fake is mentions/tests/openai_fake.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.celery import app as celery_app
from mentions.models import TeamModelEndpoint, TeamModelUsage
from mentions.tasks import team_model_test
from mentions.tests.factories import UserFactory
from mentions.tests.openai_fake import Reply, endpoint_configure, error_body, fake_openai, streamed

pytestmark = pytest.mark.django_db

KEY = "sk-admin-never-shown-91c2"
CHANGELIST = "admin:mentions_teammodelendpoint_changelist"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def fake():
    with fake_openai() as server:
        yield server


def _form(**fields):
    return {
        "enabled": "on",
        "base_url": "http://127.0.0.1:11434/v1/",
        "model": "llama3.1:8b",
        "timeout_seconds": "20",
        "daily_budget": "500",
        "judge_unsure": "on",
        "drafts": "on",
        "summaries": "on",
        **fields,
    }


def test_the_key_is_stored_encrypted_and_never_shown_back(admin_client):
    add = reverse("admin:mentions_teammodelendpoint_add")
    assert admin_client.post(add, _form(new_api_key=KEY)).status_code == 302
    row = TeamModelEndpoint.objects.get()
    assert row.api_key == KEY and KEY not in row.api_key_encrypted and row.base_url == "http://127.0.0.1:11434/v1"
    change = reverse("admin:mentions_teammodelendpoint_change", args=[row.pk])
    page = admin_client.get(change).content.decode()
    assert KEY not in page and row.api_key_encrypted not in page
    assert '<div class="readonly">set</div>' in page and 'name="new_api_key"' in page
    # An empty box keeps it, a new one replaces it, "remove" clears it.
    admin_client.post(change, _form(model="qwen2.5:7b"))
    assert TeamModelEndpoint.objects.get().api_key == KEY
    admin_client.post(change, _form(new_api_key="sk-other"))
    assert TeamModelEndpoint.objects.get().api_key == "sk-other"
    admin_client.post(change, _form(clear_api_key="on"))
    assert TeamModelEndpoint.objects.get().api_key_encrypted == ""
    assert '<div class="readonly">not set</div>' in admin_client.get(change).content.decode()
    # One row only.
    assert admin_client.get(add).status_code == 403


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://169.254.169.254/v1", "never connects to a link-local address"),
        ("http://user:pw@127.0.0.1:11434/v1", "No user name, password"),
        ("ftp://models.example.com/v1", "An http(s) address"),
        ("http://127.0.0.1:11434/v1?key=x", "without a query"),
    ],
)
def test_an_address_the_desk_would_not_use_is_refused_beside_it(admin_client, url, said):
    response = admin_client.post(reverse("admin:mentions_teammodelendpoint_add"), _form(base_url=url))
    assert response.status_code == 200 and said in response.content.decode()
    assert not TeamModelEndpoint.objects.exists()


def test_test_the_connection_is_asked_of_the_worker_and_its_result_shown_beside_it(
    admin_client, fake, django_capture_on_commit_callbacks
):
    fake.replies = [streamed(["O", "K"])]
    row = endpoint_configure(fake, api_key=KEY, stream=True, enabled=False)  # tested before it is switched on
    changelist = reverse(CHANGELIST)
    # The worker's run, here in the test's process: on the app's own configuration, which a setting changed after
    # another test configured the app would not reach.
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                changelist, {"action": "test_connection", "_selected_action": [row.pk]}, follow=True
            )
    finally:
        celery_app.conf.task_always_eager = False
    assert "Asked the worker at" in response.content.decode()
    page = admin_client.get(changelist).content.decode()
    assert "OK: llama3.1:8b streamed in" in page and KEY not in page
    assert fake.seen[0].body["max_tokens"] == 5 and fake.seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert TeamModelUsage.objects.get().requests == 1


def test_a_failed_test_says_why_in_words_without_the_key(fake):
    fake.replies = [Reply(status=401, body=error_body(f"Incorrect API key provided: {KEY}", "invalid_request_error"))]
    endpoint_configure(fake, api_key=KEY)
    said = team_model_test.apply().get()
    assert said == "Failed: answered 401: check the API key."
    row = TeamModelEndpoint.objects.get()
    assert row.test_result == said and KEY not in row.last_error


def test_the_requests_per_day_are_a_small_table(admin_client, fake):
    row = endpoint_configure(fake)
    team_model_test.apply().get()
    team_model_test.apply().get()
    page = admin_client.get(reverse("admin:mentions_teammodelendpoint_change", args=[row.pk])).content.decode()
    table = page[page.index('data-testid="team-model-usage"') :]
    assert "<td>2</td><td>0</td><td>0</td><td>0</td>" in table[: table.index("</table>")]
