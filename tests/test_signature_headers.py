"""Every door that checks a signature answers 4xx to any malformed signature header, stores nothing, and never
fails (an anonymous 500 on a non-ASCII header was issue 55): the signed-JSON webhook and GitHub's deliveries on
`/hooks/<slug>/`, Slack's `/slack/events/` and `/slack/interactions/`. Each is also shown to take the right
signature, so the fuzzed headers reach the signature check rather than being refused earlier.

Payload shapes: the signed-JSON webhook's documented example (docs/platforms/webhook.md, as
intake/tests/test_webhook.py sends it), octokit/webhooks' recorded `issues.opened` body
(channels/adapters/github/tests/fixtures/SOURCES.md), Slack's documented `event_callback` and message shortcut
examples (slackapp/tests/fixtures/SOURCES.md). The right signatures are computed here as each sender documents
them (HMAC-SHA256 in lowercase hex behind `sha256=` or `v0=`), not with the desk's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from channels.adapters.github.tests.shapes import github_channel
from channels.adapters.github.tests.shapes import load as github_load
from channels.adapters.registry import PLATFORMS, platform_or_default
from channels.tests.factories import ChannelFactory
from channels.tests.fuzzing import fuzz_settings
from intake.tests.test_webhook import MENTION  # the documented push shape (docs/platforms/webhook.md)
from mentions.models import Message
from slackapp.models import SlackEvent
from slackapp.tests.test_requests import SECRET, signing_secret  # noqa: F401 (the Slack app's settings)
from slackapp.tests.test_requests import fixture as slack_fixture

pytestmark = pytest.mark.django_db


def _hmac(message: bytes) -> str:
    return hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Door:
    """One endpoint: how to post a body with a given signature header, and its right signature."""

    name: str
    prefix: str
    post: Callable[[str], int]  # the signature header -> the status answered
    right: Callable[[], str]


def _webhook_door() -> Door:
    channel = ChannelFactory(kind="webhook", slug="relay", config={}, our_accounts=["gitlab"])
    channel.credentials = {"secret": SECRET}
    channel.save()
    raw, stamp = json.dumps(MENTION).encode(), str(int(time.time()))  # one test's run is well within 300 s

    def post(signature: str) -> int:
        headers = {"X-Desk-Timestamp": stamp, "X-Desk-Signature": signature}
        return Client().post("/hooks/relay/", raw, content_type="application/json", headers=headers).status_code

    return Door("webhook", "sha256=", post, lambda: "sha256=" + _hmac(stamp.encode() + b"." + raw))


def _github_door() -> Door:
    github_channel(
        slug="gh", config={"repositories": ["Codertocat/Hello-World"]}, credentials={"webhook_secret": SECRET}
    )
    raw = json.dumps(github_load("webhooks/issues.opened.json")).encode()

    def post(signature: str) -> int:
        headers = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "d-1", "X-Hub-Signature-256": signature}
        return Client().post("/hooks/gh/", raw, content_type="application/json", headers=headers).status_code

    return Door("github", "sha256=", post, lambda: "sha256=" + _hmac(raw))


def _slack_door(path: str, raw: str, content_type: str) -> Callable[[], Door]:
    def make() -> Door:
        stamp = str(int(time.time()))  # within Slack's five minutes for the whole test

        def post(signature: str) -> int:
            headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}
            return Client().post(path, raw, content_type=content_type, headers=headers).status_code

        return Door(path, "v0=", post, lambda: "v0=" + _hmac(f"v0:{stamp}:{raw}".encode()))

    return make


EVENT = json.dumps(slack_fixture("event_callback_thread_reply.json"))
SHORTCUT = urlencode({"payload": json.dumps(slack_fixture("message_action.json"))})
DOORS = {
    "webhook": _webhook_door,
    "github": _github_door,
    "slack-events": _slack_door("/slack/events/", EVENT, "application/json"),
    "slack-interactions": _slack_door("/slack/interactions/", SHORTCUT, "application/x-www-form-urlencoded"),
}


@pytest.fixture(params=list(DOORS))
def door(request, signing_secret) -> Door:  # noqa: F811 (the fixture by name)
    """Made once per test (hypothesis then runs its examples against it)."""
    return DOORS[request.param]()


def stored() -> int:
    return Message.objects.count() + SlackEvent.objects.count()


# The ways a header goes wrong, each applied to the right signature of the request (so only its shape is wrong).
FULL_WIDTH = {ord("0") + i: 0xFF10 + i for i in range(10)}  # U+FF10: FULLWIDTH DIGIT ZERO
MANGLED: dict[str, Callable[[str, str], str]] = {
    "non-ASCII digit": lambda right, prefix: right[:-1] + "٣",
    "non-ASCII anywhere": lambda right, prefix: "é" + right,
    "full-width digits": lambda right, prefix: prefix + right[len(prefix) :].translate(FULL_WIDTH),
    "one digit short": lambda right, prefix: right[:-1],
    "one digit more": lambda right, prefix: right + "0",
    "upper-case hex": lambda right, prefix: prefix + right[len(prefix) :].upper(),
    "not hex": lambda right, prefix: prefix + "g" * 64,
    "base64 digest": lambda right, prefix: prefix + base64.b64encode(bytes.fromhex(right[len(prefix) :])).decode(),
    "no prefix": lambda right, prefix: right[len(prefix) :],
    "another prefix": lambda right, prefix: "sha1=" + right[len(prefix) :],
    "two values": lambda right, prefix: f"{right}, {right}",
    "two values, the right one second": lambda right, prefix: f"{prefix}{'0' * 64},{right}",
    "a newline inside": lambda right, prefix: right[:20] + "\n" + right[20:],
    "NUL": lambda right, prefix: right + "\x00",
    "empty": lambda right, prefix: "",
    "huge": lambda right, prefix: right * 2000,
}


def test_the_right_signature_is_taken(door):
    """The control: what the fuzz below refuses is refused for its header, not for the request around it."""
    assert door.post(door.right()) in (200, 201)


@pytest.mark.parametrize("how", MANGLED)
def test_a_malformed_signature_header_is_a_401_and_stores_nothing(door, how):
    status = door.post(MANGLED[how](door.right(), door.prefix))
    assert status == 401, (door.name, how, status)
    assert stored() == 0


@fuzz_settings
@given(header=st.text(max_size=200))
@example(header="sha256=ä")
@example(header="v0=" + "é" * 64)
def test_any_text_in_the_signature_header_is_refused_with_a_4xx(door, header):
    status = door.post(header)
    assert 400 <= status < 500, (door.name, header, status)
    assert stored() == 0


@fuzz_settings
@given(data=st.data())
def test_the_right_signature_with_any_one_character_changed_is_refused(door, data):
    right = door.right()
    at = data.draw(st.integers(min_value=0, max_value=len(right) - 1))
    other = data.draw(st.characters(exclude_categories=["Cs"]).filter(lambda c: c != right[at]))
    status = door.post(right[:at] + other + right[at + 1 :])
    assert status == 401, (door.name, status)
    assert stored() == 0


def test_every_platform_that_pushes_to_the_desk_is_fuzzed_here():
    """A new platform whose deliveries are signed must get its door into DOORS (the registry is the list)."""
    pushed = {kind for kind in PLATFORMS if platform_or_default(kind).pushed or platform_or_default(kind).push_reader}
    covered = {"webhook", "github", "slack"}  # slack: the desk's Slack app's two endpoints
    assert pushed == covered
