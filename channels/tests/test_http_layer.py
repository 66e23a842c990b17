"""The platforms' one HTTP layer (channels.http, channels.http_status) at the network edge, with `responses`: the
status ladder and a platform's rungs over it, the retries of reads (and never of a send), the network's failures,
and the rate-limit headers of each family.

Shapes: the status codes and headers are the platforms' documented ones: GitHub's X-RateLimit-* (docs.github.com,
"Rate limits for the REST API"), X's x-rate-limit-* (developer.x.com, "Rate limits"), GitLab's RateLimit-*
(docs.gitlab.com, "Rate limits"), Discord's X-RateLimit-Reset-After (discord.com/developers/docs/topics/rate-limits),
Mastodon's ISO X-RateLimit-Reset (docs.joinmastodon.org/api/rate-limits), Reddit's seconds-from-now
x-ratelimit-reset (github.com/reddit-archive/reddit/wiki/API), Retry-After (RFC 9110 section 10.2.3)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import requests
import responses

from channels.adapters.base import AuthError, Gone, PermanentError, RateLimited, TransientError
from channels.http import build_session, fetch_json, request
from channels.http_status import Ladder, rate_limit_of, status_error

API = "https://api.example.com/items"
LABEL = "Example /items"


def answer(status: int, headers: dict[str, str] | None = None, body: str = "{}") -> requests.Response:
    response = requests.Response()
    response.status_code, response.reason, response._content = status, "Reason", body.encode()
    response.headers.update(headers or {})
    return response


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, RateLimited), (401, AuthError), (403, AuthError), (404, PermanentError), (400, PermanentError),
     (500, TransientError), (503, TransientError)],
)  # fmt: skip
def test_the_ladder_maps_each_status_to_what_the_poller_should_do(status: int, error: type[Exception]) -> None:
    found = status_error(answer(status), LABEL)
    assert type(found) is error
    assert str(found).startswith(f"{LABEL}: HTTP {status}")


def test_a_success_is_no_error() -> None:
    assert status_error(answer(200), LABEL) is None and status_error(answer(204), LABEL) is None


def test_a_platform_passes_only_the_rungs_where_it_differs() -> None:
    ladder: Ladder = {
        404: (Gone, "{label}: HTTP 404{detail}: the post is gone"),
        403: (RateLimited, "{label}: HTTP 403{detail}: the secondary rate limit"),
    }
    gone = status_error(answer(404), LABEL, ladder, said="Not Found")
    assert isinstance(gone, Gone) and str(gone) == f"{LABEL}: HTTP 404: Not Found: the post is gone"
    limited = status_error(answer(403, {"Retry-After": "60"}), LABEL, ladder)
    assert isinstance(limited, RateLimited) and limited.retry_after == 60
    # The rungs it did not pass are the common ones.
    assert isinstance(status_error(answer(401), LABEL, ladder), AuthError)


def test_a_secret_the_platform_echoes_never_reaches_the_message() -> None:
    error = status_error(answer(400), LABEL, said="bad key s3cr3t-token", secret="s3cr3t-token")
    assert "s3cr3t-token" not in str(error) and "REDACTED" in str(error)


def test_a_429_waits_what_the_platform_said() -> None:
    error = status_error(answer(429, {"Retry-After": "30"}), LABEL)
    assert isinstance(error, RateLimited) and error.retry_after == 30
    reset = int(time.time()) + 120
    error = status_error(answer(429, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}), LABEL)
    assert isinstance(error, RateLimited) and error.retry_after is not None and 100 < error.retry_after <= 120


@responses.activate
def test_a_read_answered_503_is_asked_again_and_its_answer_used() -> None:
    responses.get(API, status=503)
    responses.get(API, json={"items": [1]})
    _, data = fetch_json(build_session(), API, label=LABEL)
    assert data == {"items": [1]}
    assert len(responses.calls) == 2


@responses.activate
def test_a_read_that_keeps_failing_is_asked_three_times_then_is_transient() -> None:
    responses.get(API, status=502)
    with pytest.raises(TransientError, match=r"^Example /items: HTTP 502"):
        fetch_json(build_session(), API, label=LABEL)
    assert len(responses.calls) == 3


@responses.activate
def test_a_long_retry_after_is_not_waited_in_the_call() -> None:
    responses.get(API, status=503, headers={"Retry-After": "3600"})
    with pytest.raises(TransientError):
        fetch_json(build_session(), API, label=LABEL)
    assert len(responses.calls) == 1


@responses.activate
def test_a_send_is_never_asked_again() -> None:
    # A POST answered 503 may have posted: asking again could post the reply twice.
    responses.post(API, status=503)
    response = request(build_session(), "POST", API, label=LABEL, json={"text": "hello"})
    assert response.status_code == 503
    assert len(responses.calls) == 1


@responses.activate
def test_a_429_and_a_404_are_not_asked_again() -> None:
    responses.get(API, status=429)
    with pytest.raises(RateLimited):
        fetch_json(build_session(), API, label=LABEL)
    responses.replace(responses.GET, API, status=404)
    with pytest.raises(PermanentError):
        fetch_json(build_session(), API, label=LABEL)
    assert len(responses.calls) == 2


@responses.activate
def test_the_network_failing_is_transient_and_never_names_the_url_with_its_key() -> None:
    responses.get(API, body=requests.ConnectionError(f"cannot reach {API}?key=s3cr3t"))
    with pytest.raises(TransientError) as raised:
        fetch_json(build_session(), API, label=LABEL, params={"key": "s3cr3t"})
    assert str(raised.value) == f"{LABEL}: network error (ConnectionError)"


@responses.activate
def test_an_answer_that_is_not_json_is_a_payload_error_naming_the_page() -> None:
    responses.get(API, body="<html><title>Maintenance</title></html>")
    with pytest.raises(Exception, match=r"HTML page \('Maintenance'\), not JSON: a maintenance page"):
        fetch_json(build_session(), API, label=LABEL, not_json="a maintenance page")


def test_github_and_mastodon_rate_limit_headers() -> None:
    reset = int(time.time()) + 600
    limits = rate_limit_of(
        answer(200, {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "4999", "X-RateLimit-Reset": str(reset)})
    )
    assert (limits.limit, limits.remaining, limits.reset_at) == (5000, 4999, datetime.fromtimestamp(reset, UTC))
    assert limits.wait() is None  # requests are left: nothing to wait for
    at = datetime.fromtimestamp(reset, UTC)
    mastodon = rate_limit_of(answer(200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": at.isoformat()}))
    assert mastodon.reset_at == at


def test_x_gitlab_reddit_and_discord_rate_limit_headers() -> None:
    reset = int(time.time()) + 900
    x = rate_limit_of(answer(200, {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}))
    x_wait = x.wait()
    assert x.remaining == 0 and x_wait is not None and 890 < x_wait <= 900
    gitlab = rate_limit_of(answer(200, {"RateLimit-Limit": "600", "RateLimit-Remaining": "12"}))
    assert (gitlab.limit, gitlab.remaining) == (600, 12)
    reddit = rate_limit_of(
        answer(200, {"x-ratelimit-remaining": "598.0", "x-ratelimit-used": "2", "x-ratelimit-reset": "300"})
    )
    assert reddit.remaining == 598 and reddit.used == 2 and reddit.reset_in == 300 and reddit.reset_at is not None
    assert 290 < reddit.reset_at.timestamp() - time.time() <= 300
    discord = rate_limit_of(
        answer(200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1.0", "X-RateLimit-Reset-After": "2.5"})
    )
    discord_wait = discord.wait()
    assert discord_wait is not None and 2 < discord_wait <= 2.5


def test_retry_after_as_an_http_date_and_nonsense() -> None:
    assert rate_limit_of(answer(429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})).retry_after == 0.0
    assert rate_limit_of(answer(429, {"Retry-After": "soon"})).retry_after is None
