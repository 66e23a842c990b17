"""The team model at the HTTP boundary (mentions.assistant.client and .calls), against a local fake server.

Shapes: mentions/tests/openai_fake.py, from OpenAI's API reference for chat completions (request, answer, streamed
chunks as server-sent events ending in `data: [DONE]`, errors, 429 with Retry-After) and the OpenAI-compatible
servers of Ollama (docs/openai.md) and llama.cpp (tools/server/README.md). Every failure must end in the fallback
(no verdict: the caller keeps its own) and a logged error without the key or the mention's words."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from advocacy.fetch_guard import FetchRefused, guarded_session
from channels.tests.factories import ChannelFactory
from mentions.assistant.calls import JUDGE, Assistant
from mentions.assistant.client import (
    Endpoint,
    TeamModelBadAnswer,
    TeamModelClient,
    TeamModelError,
    TeamModelHTTPError,
    TeamModelRateLimited,
    TeamModelTimeout,
    retry_after_seconds,
)
from mentions.assistant.judge import TeamModelInput, team_model_judgements
from mentions.models import TeamModelEndpoint, TeamModelUsage
from mentions.tests.openai_fake import Reply, answer, endpoint_configure, error_body, fake_openai, streamed

pytestmark = pytest.mark.django_db

SECRET = "sk-team-model-never-logged-7f3a"
WORDS = "Zebulon-unique-words: my runner keeps failing after the upgrade"
VERDICT = '{"judgement": "needs_response", "intent": "bug", "reason": "Reports runners failing after an upgrade"}'


@pytest.fixture
def fake():
    with fake_openai() as server:
        yield server


def item(channel_id: int | None = None, text: str = WORDS) -> TeamModelInput:
    return TeamModelInput(
        title="Runner question",
        text=text,
        platform="reddit",
        product_name="GitLab",
        product_description="GitLab, the DevOps platform.",
        channel_id=channel_id,
    )


def _logged(caplog) -> str:
    return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)


def _fallback_logged(caplog, words: str) -> None:
    failures = [r for r in caplog.records if r.name == "mentions.assistant" and r.levelno == logging.WARNING]
    assert failures and words in failures[-1].getMessage()
    text = _logged(caplog)
    assert SECRET not in text and "Zebulon-unique-words" not in text


def test_the_documented_request_and_a_plain_answer(fake):
    fake.replies = [answer(VERDICT, prompt_tokens=120, completion_tokens=21)]
    endpoint_configure(fake, api_key=SECRET)
    found = team_model_judgements({7: item()})
    assert found[7].judgement == "needs_response" and found[7].intent == "bug"
    (seen,) = fake.seen
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["authorization"] == f"Bearer {SECRET}"
    assert seen.body["model"] == "llama3.1:8b" and seen.body["stream"] is False
    assert seen.body["response_format"] == {"type": "json_object"}
    assert isinstance(seen.body["max_tokens"], int) and isinstance(seen.body["temperature"], float)
    assert [m["role"] for m in seen.body["messages"]] == ["system", "user"]
    assert WORDS in seen.body["messages"][1]["content"]  # the mention, as JSON in the user's message
    assert TeamModelUsage.objects.get().requests == 1


def test_a_streamed_answer_is_read_from_its_events(fake):
    fake.replies = [streamed(['{"judgement": "worth_knowing", ', '"intent": "praise", ', '"reason": "Praise"}'])]
    endpoint_configure(fake, stream=True)
    found = team_model_judgements({1: item()})
    assert found[1].judgement == "worth_knowing" and found[1].reason == "Praise"
    assert fake.seen[0].body["stream"] is True and fake.seen[0].headers["accept"] == "text/event-stream"


def test_asked_to_stream_a_server_answering_plain_json_is_read_as_such(fake):
    fake.replies = [answer(VERDICT)]
    endpoint_configure(fake, stream=True)
    assert team_model_judgements({1: item()})[1].intent == "bug"


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (Reply(status=500, body=error_body("model crashed")), "answered 500"),
        (Reply(status=503, body=b"upstream down", headers={"Content-Type": "text/plain"}), "answered 503"),
        (Reply(status=401, body=error_body("bad key", "invalid_request_error")), "answered 401: check the API key"),
        (Reply(body=b"<html>not an API</html>", headers={"Content-Type": "text/html"}), "not a JSON object"),
        (Reply(body={"choices": []}), "no choices[0].message.content"),
        (streamed(["half an ans"], done=False), "ended before data: [DONE]"),
        (Reply(events=['{"choices": [{"delta": {"content": 5}}]}', "[DONE]"]), "delta.content is not text"),
    ],
    ids=["500", "503", "401", "html", "no-choices", "cut-stream", "bad-delta"],
)
def test_errors_and_malformed_bodies_fall_back_and_are_logged(fake, caplog, reply, said):
    fake.replies = [reply]
    endpoint_configure(fake, api_key=SECRET)
    with caplog.at_level(logging.INFO, logger="mentions.assistant"):
        assert team_model_judgements({1: item(), 2: item()}) == {}
    assert fake.requests == 1  # the first failure ends the batch: the second mention is not sent
    _fallback_logged(caplog, said)
    row = TeamModelEndpoint.objects.get()
    assert said in row.last_error and row.last_error_at is not None and SECRET not in row.last_error
    assert TeamModelUsage.objects.get().failures == 1


def test_429_honours_retry_after_by_not_asking_again_until_then(fake, caplog):
    slow_down = error_body("slow down", "rate_limit_exceeded")
    fake.replies = [Reply(status=429, body=slow_down, headers={"Retry-After": "120"})]
    endpoint_configure(fake)
    with caplog.at_level(logging.INFO, logger="mentions.assistant"):
        assert team_model_judgements({1: item()}) == {}
        assert team_model_judgements({2: item()}) == {}  # paused: nothing sent
    assert fake.requests == 1
    _fallback_logged(caplog, "rate limited (429), asked to wait 120 s")
    row = TeamModelEndpoint.objects.get()
    assert row.paused_until is not None
    assert timedelta(seconds=110) < row.paused_until - timezone.now() <= timedelta(seconds=120)
    usage = TeamModelUsage.objects.get()
    assert (usage.requests, usage.failures, usage.rate_limited) == (1, 1, 1)
    TeamModelEndpoint.objects.update(paused_until=timezone.now() - timedelta(seconds=1))
    fake.replies = [answer(VERDICT)]
    assert team_model_judgements({3: item()})[3].judgement == "needs_response"


def test_retry_after_as_seconds_or_an_http_date():
    assert retry_after_seconds("30") == 30.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_a_slow_answer_past_the_timeout_falls_back_within_it(fake, caplog):
    fake.replies = [Reply(body=answer(VERDICT).body, delay=3.0)]
    endpoint_configure(fake, timeout_seconds=1)
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="mentions.assistant"):
        assert team_model_judgements({1: item()}) == {}
    assert time.monotonic() - started < 2.0
    _fallback_logged(caplog, "no answer within 1 s")


def test_a_stream_trickling_past_the_deadline_is_cut_at_it(fake, caplog):
    # Each part comes well inside the timeout, the whole never would: the deadline is the exchange's, not a read's.
    fake.replies = [streamed(["x"] * 40, gap=0.1)]
    endpoint_configure(fake, timeout_seconds=1, stream=True)
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="mentions.assistant"):
        assert team_model_judgements({1: item()}) == {}
    assert time.monotonic() - started < 1.8
    _fallback_logged(caplog, "the answer took longer than 1 s")


def test_the_client_raises_one_error_class_per_failure(fake):
    client = TeamModelClient(Endpoint(base_url=fake.base_url, model="m", timeout=1))
    cases: list[tuple[Reply, type[TeamModelError]]] = [
        (Reply(status=429, headers={"Retry-After": "5"}), TeamModelRateLimited),
        (Reply(status=502), TeamModelHTTPError),
        (Reply(body=b"{not json"), TeamModelBadAnswer),
        (Reply(body=answer("x").body, delay=2), TeamModelTimeout),
    ]
    for reply, error in cases:
        fake.replies = [reply]
        with pytest.raises(error):
            client.chat([{"role": "user", "content": "hi"}], max_tokens=5)
    fake.replies = [answer("fine", prompt_tokens=3, completion_tokens=1)]
    got = client.chat([{"role": "user", "content": "hi"}], max_tokens=5)
    assert (got.content, got.prompt_tokens, got.completion_tokens, got.streamed) == ("fine", 3, 1, False)


def test_over_the_daily_budget_nothing_is_sent_and_it_is_logged_once(fake, caplog):
    fake.replies = [answer(VERDICT)]
    endpoint_configure(fake, daily_budget=2)
    with caplog.at_level(logging.INFO, logger="mentions.assistant"):
        assert len(team_model_judgements({1: item(), 2: item(), 3: item(), 4: item()})) == 2
        assert team_model_judgements({5: item()}) == {}
    assert fake.requests == 2
    usage = TeamModelUsage.objects.get()
    assert (usage.requests, usage.over_budget) == (2, 2)
    spent = [r for r in caplog.records if "daily budget of 2 requests is spent" in r.getMessage()]
    assert len(spent) == 1


def test_an_opted_out_channel_sends_nothing(fake):
    private = ChannelFactory()
    row = endpoint_configure(fake)
    row.opted_out_channels.add(private)
    fake.replies = [answer(VERDICT)]
    found = team_model_judgements({1: item(private.pk), 2: item(ChannelFactory().pk)})
    assert list(found) == [2] and fake.requests == 1
    assert all(WORDS in s.body["messages"][1]["content"] for s in fake.seen)


@pytest.mark.parametrize(
    "fields",
    # The pause as minutes from the test's own start: a time taken at collection may be past when a long run
    # reaches the test.
    [{"enabled": False}, {"judge_unsure": False}, {"paused_until": timedelta(minutes=5)}],
    ids=["disabled", "switched-off", "paused"],
)
def test_a_disabled_switched_off_or_paused_endpoint_is_not_asked(fake, fields):
    if "paused_until" in fields:
        fields = {"paused_until": timezone.now() + fields["paused_until"]}
    endpoint_configure(fake, **fields)
    assert team_model_judgements({1: item()}) == {}
    assert fake.requests == 0 and not TeamModelUsage.objects.exists()


def test_a_redirect_is_never_followed(fake, caplog):
    with fake_openai() as elsewhere:
        fake.replies = [Reply(status=307, headers={"Location": f"{elsewhere.base_url}/chat/completions"})]
        endpoint_configure(fake)
        with caplog.at_level(logging.INFO, logger="mentions.assistant"):
            assert team_model_judgements({1: item()}) == {}
        assert elsewhere.requests == 0
    _fallback_logged(caplog, "answered 307: a redirect, not followed")


def test_the_endpoints_own_loopback_host_is_reached_by_this_client_only(fake, settings):
    """The fetch guard refuses 127.0.0.1 to every fetch (no allowed networks here); the team model's client may
    reach the address its configured host resolves to, loopback or private, and nothing else is opened up."""
    settings.DESK_FETCH_ALLOWED_NETWORKS = []
    fake.replies = [answer(VERDICT)]
    endpoint_configure(fake)
    assert team_model_judgements({1: item()})[1].judgement == "needs_response"
    with pytest.raises(FetchRefused):
        guarded_session().post(f"{fake.base_url}/chat/completions", json={}, timeout=2)


def test_a_link_local_endpoint_is_refused_by_the_guard_and_by_the_admins_form():
    from django.core.exceptions import ValidationError

    row = TeamModelEndpoint(base_url="http://169.254.169.254/v1", model="m")
    with pytest.raises(ValidationError, match="link-local"):
        row.clean()
    client = TeamModelClient(Endpoint(base_url="http://169.254.169.254/v1", model="m", timeout=1))
    with pytest.raises(Exception, match="link-local"):
        client.chat([{"role": "user", "content": "hi"}], max_tokens=1)


def test_no_request_starts_once_the_call_has_taken_its_time(fake, monkeypatch):
    from mentions.assistant import judge

    monkeypatch.setattr(judge, "BATCH_SECONDS", 0.5)
    fake.replies = [Reply(body=answer(VERDICT).body, delay=0.3)]
    endpoint_configure(fake)
    found = team_model_judgements({n: item() for n in range(6)})
    assert list(found) == [0, 1] and fake.requests == 2  # the third would start after 0.6 s


def test_an_explicit_endpoint_counts_nothing(fake):
    fake.replies = [answer(VERDICT)]
    assistant = Assistant.explicit(JUDGE, Endpoint(base_url=fake.base_url, model="m", timeout=2))
    assert assistant.ask([{"role": "user", "content": "hi"}], max_tokens=5) is not None
    assert not TeamModelUsage.objects.exists()


def test_the_session_is_not_requests_own(fake):
    # Every connection goes through the guard's adapter (tests/test_fetch_call_sites.py lists the openers).
    client = TeamModelClient(Endpoint(base_url=fake.base_url, model="m"))
    assert type(client._session.get_adapter(fake.base_url)).__name__ == "GuardedAdapter"
