"""Property-based test of the Slack message path, as the adapters' fuzz tests do it (channels/tests/fuzzing.py):
every recorded Slack delivery, mutated the ways the internet breaks payloads (keys dropped, wrong types, nulls,
NUL and lone surrogates, NaN, nesting thousands deep), is signed with the signing secret as Slack signs it and
posted to the desk's endpoint, then every row it stored is worked as the worker and the sweep would. For each
example:

- the answer is never a 5xx;
- a 2xx stored the delivery (one `SlackEvent`), or is one of the documented no-ops (docs/platforms/slack-app.md):
  the `url_verification` challenge answered, or an outreach modal answered with its errors;
- a 4xx stored nothing;
- working a stored row never raises out of the task, and leaves it done, ignored or failed within MAX_ATTEMPTS.

The count of examples run and of unhandled errors (a 5xx, or an exception out of the worker; must be 0) is
printed at the end and written to test-artifacts/slack-fuzz.txt.

Payload shapes: slackapp/tests/fixtures/SOURCES.md (Slack's documented examples and one recorded button press;
`conversations_history.json` is an answer of Slack's Web API, not a delivery, and serves the worker's calls).
Slack's Web API is answered at the HTTP boundary (`responses`) with its documented examples (api.slack.com/
methods/chat.getPermalink, conversations.history, conversations.replies, conversations.info, chat.update,
views.open)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
import responses
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.tests.fuzzing import FUZZ_EXAMPLES, draw_mutated, dumps_deep, fuzz_settings
from experts.tests.factories import ExpertFactory, OutreachFactory
from mentions.tests.factories import MessageFactory, TicketFactory
from slackapp.models import SlackEvent
from slackapp.tasks import MAX_ATTEMPTS, event_work
from slackapp.tests.test_requests import FIXTURES, signed, signing_secret  # noqa: F401
from slackapp.tickets import desk_slack_channel

pytestmark = pytest.mark.django_db
API = "https://slack.com/api"
DELIVERIES = sorted(p.name for p in FIXTURES.glob("*.json") if p.name != "conversations_history.json")
PAYLOADS = {name: json.loads((FIXTURES / name).read_text()) for name in DELIVERIES}
# Interactions come as a form whose `payload` field holds the JSON; events as JSON.
INTERACTIONS = {n for n in DELIVERIES if PAYLOADS[n]["type"] not in ("event_callback", "url_verification")}
TERMINAL = {"done", "ignored", "failed"}
COUNTS = {"examples": 0, "unhandled": 0, "stored": 0, "refused": 0, "no-op": 0}
PERMALINK = "https://example-workspace.slack.com/archives/CJDP9QK1U/p1557796107000500"
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "slack-fuzz.txt"


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    line = (
        f"slack fuzz: {COUNTS['examples']} examples, {COUNTS['unhandled']} unhandled "
        f"({COUNTS['stored']} stored, {COUNTS['refused']} refused with a 4xx, {COUNTS['no-op']} documented no-ops; "
        f"{EXAMPLES} per fixture, {len(DELIVERIES)} fixtures)"
    )
    print("\n" + line)
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(line + "\n")


@pytest.fixture
def slack_api(settings):
    settings.SLACK_API_URL = API
    settings.SLACK_BOT_USER_ID = "U0DESKBOT"  # Bolt's own-event filter runs too
    history = json.loads((FIXTURES / "conversations_history.json").read_text())
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{API}/chat.getPermalink", json={"ok": True, "channel": "CJDP9QK1U", "permalink": PERMALINK})
        mock.get(f"{API}/conversations.history", json=history)
        mock.get(f"{API}/conversations.replies", json={**history, "has_more": False})
        mock.get(f"{API}/conversations.info", json={"ok": True, "channel": {"id": "CJDP9QK1U", "name": "general"}})
        mock.post(f"{API}/chat.update", json={"ok": True, "channel": "C123ABC456", "ts": "1355517500.000001"})
        mock.post(f"{API}/views.open", json={"ok": True, "view": {"id": "VMHU10V25"}})
        yield mock


@pytest.fixture
def desk():
    """What the fixtures point at: the desk's Slack channel with reactions chosen in their channels, and an
    outreach whose thread the thread reply, the bot message and the ✅ reaction are in (and whose buttons the
    outreach block_actions presses)."""
    channel = desk_slack_channel()
    channel.config = {"reaction_channels": ["CJDP9QK1U", "C123ABC456"], "reaction_emoji": "ticket"}
    channel.save()
    ticket = TicketFactory()
    MessageFactory(ticket=ticket, permalink="https://news.ycombinator.com/item?id=4242", body="cache never restores")
    vera = ExpertFactory(name="Vera", slack_handle="U123ABC456")
    return OutreachFactory(
        ticket=ticket,
        expert=vera,
        slack_channel="C123ABC456",
        slack_ts="1355517500.000001",
        slack_permalink="https://acme.slack.com/archives/C123ABC456/p1355517500000001",
    )


def recorded(name: str, outreach) -> dict:
    """The fixture, pointed at the outreach where it names one (its buttons and modals carry its id)."""
    payload = copy.deepcopy(PAYLOADS[name])
    if name == "block_actions_outreach.json":
        payload["actions"][0]["value"] = str(outreach.pk)
    if name.startswith("view_submission_outreach"):
        payload["view"]["private_metadata"] = str(outreach.pk)
    return payload


def deliver(name: str, payload: object, retry: str | None):
    if name in INTERACTIONS:
        path, raw, content_type = (
            "/slack/interactions/",
            urlencode({"payload": dumps_deep(payload)}),
            "application/x-www-form-urlencoded",
        )
    else:
        path, raw, content_type = "/slack/events/", dumps_deep(payload), "application/json"
    headers: dict = signed(raw)
    if retry is not None:
        headers["HTTP_X_SLACK_RETRY_NUM"] = retry
    # A 500 is what the test looks for: answered, not raised.
    return Client(raise_request_exception=False).post(path, raw, content_type=content_type, **headers)


def documented_no_op(response) -> bool:
    """A 2xx that rightly stores nothing: the url_verification challenge, or a modal's errors shown to the
    expert (docs/platforms/slack-app.md, "Bad requests")."""
    try:
        answer = json.loads(response.content or b"null")
    except ValueError:
        return False
    return isinstance(answer, dict) and ("challenge" in answer or answer.get("response_action") == "errors")


def work_to_the_end(pk: int) -> str:
    status = ""
    for _ in range(MAX_ATTEMPTS):  # the worker once, then the sweep
        event_work(pk)
        status = SlackEvent.objects.get(pk=pk).status
        if status in TERMINAL:
            break
    return status


# A request, a transaction and the worker per example: a quarter of DESK_FUZZ_EXAMPLES per fixture, as the
# adapters' fuzz tests that store (channels/adapters/reddit/tests/test_reddit_fuzz.py).
EXAMPLES = max(10, FUZZ_EXAMPLES // 4)


@pytest.mark.parametrize("name", DELIVERIES)
@settings(fuzz_settings, max_examples=EXAMPLES)
@given(data=st.data())
def test_the_slack_endpoints_never_fail_on_mutated_deliveries(name, data, slack_api, desk):
    payload = draw_mutated(data, recorded(name, desk))
    retry = data.draw(st.sampled_from([None, "1", "²", "9" * 50]))
    SlackEvent.objects.all().delete()
    COUNTS["examples"] += 1
    try:
        response = deliver(name, payload, retry)
        assert response.status_code < 500, response.content[:300]
        rows = list(SlackEvent.objects.values_list("pk", flat=True))
        if response.status_code >= 400:
            assert not rows, "a refused request stored something"
            COUNTS["refused"] += 1
        elif rows:
            assert len(rows) == 1
            COUNTS["stored"] += 1
            assert work_to_the_end(rows[0]) in TERMINAL
            row = SlackEvent.objects.get()
            assert row.attempts == 1, (row.kind, row.error)  # no retry loop: nothing here is Slack being down
        else:
            assert documented_no_op(response), (response.status_code, response.content[:300])
            COUNTS["no-op"] += 1
    except BaseException:
        COUNTS["unhandled"] += 1
        raise


def test_every_delivery_fixture_is_fuzzed_and_stored_unmutated(slack_api, desk):
    assert len(DELIVERIES) >= 10 and INTERACTIONS
    for name in DELIVERIES:
        SlackEvent.objects.all().delete()
        response = deliver(name, recorded(name, desk), None)
        assert response.status_code == 200, name
        assert SlackEvent.objects.count() == 1 or documented_no_op(response), name
