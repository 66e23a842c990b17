"""Webhook deliveries: the recorded bodies of octokit/webhooks (`fixtures/webhooks/`, SOURCES.md), signed in the
tests as docs.github.com's "Validating webhook deliveries" describes (``X-Hub-Signature-256: sha256=`` HMAC-SHA256 of
the raw body with the webhook's secret), with ``X-GitHub-Event`` and ``X-GitHub-Delivery`` headers; read by
`delivery_read` and stored through the ingest a poll uses (`mentions_ingest`), beside polling of the same items."""

import json

import pytest
import responses

from channels.adapters.github.webhook import DeliveryRejected, delivery_read, delivery_remember, signature_for
from channels.tests.harness import poll, stored
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket

from .shapes import COMMENTS_URL, ISSUES_URL, add_graphql, add_list, discussions_answer, github_channel, load

pytestmark = pytest.mark.django_db
SECRET = "It's a Secret to Everybody"
HELLO = "Codertocat/Hello-World"


def hooked(**fields):
    credentials = {"token": "t", "webhook_secret": SECRET}
    return github_channel(config={"repositories": [HELLO]}, credentials=credentials, our_accounts=[], **fields)


def deliver(channel, payload, event, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958", *, secret=SECRET, body=None):
    raw = body if body is not None else json.dumps(payload).encode()
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": signature_for(secret, raw),
    }
    return delivery_read(channel=channel, body=raw, headers=headers)


def received(channel, payload, event, delivery):
    """What the desk's webhook door does: read, ingest, remember the delivery."""
    found = deliver(channel, payload, event, delivery)
    result = mentions_ingest(channel=channel, mentions=found.mentions)
    delivery_remember(channel, delivery)
    return found, result


def test_an_issue_then_a_comment_on_it_become_one_ticket_and_the_owners_comment_is_ours():
    channel = hooked()
    received(channel, load("webhooks/issues.opened.json"), "issues", "d-1")
    _, result = received(channel, load("webhooks/issue_comment.created.json"), "issue_comment", "d-2")

    assert result.created == 1 and result.duplicates == 1  # the comment, and its issue again
    opened, answered = Message.objects.filter(channel=channel).order_by("platform_created_at")
    assert opened.ticket_id == answered.ticket_id and Ticket.objects.filter(channel=channel).count() == 1
    assert answered.kind == Message.Kind.OUR_REPLY  # Codertocat is the repository's OWNER
    assert opened.kind == Message.Kind.INBOUND  # an issue is never marked ours by association: it opens a ticket


def test_signatures_are_checked_on_the_raw_body():
    channel = hooked()
    payload = load("webhooks/issues.opened.json")
    with pytest.raises(DeliveryRejected) as wrong:
        deliver(channel, payload, "issues", secret="not the secret")
    assert wrong.value.status == 401
    raw = json.dumps(payload).encode()
    headers = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "d", "X-Hub-Signature-256": signature_for(SECRET, raw)}
    with pytest.raises(DeliveryRejected, match="X-Hub-Signature-256"):
        delivery_read(channel=channel, body=raw + b" ", headers=headers)  # one byte more: another body
    with pytest.raises(DeliveryRejected, match="X-Hub-Signature-256"):
        delivery_read(channel=channel, body=raw, headers={**headers, "X-Hub-Signature-256": ""})
    unset = github_channel(config={"repositories": [HELLO]})
    with pytest.raises(DeliveryRejected, match="no webhook secret") as missing:
        deliver(unset, payload, "issues")
    assert missing.value.status == 401
    # The example GitHub documents: secret "It's a Secret to Everybody", body "Hello, World!".
    assert signature_for(SECRET, b"Hello, World!") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )


def test_a_delivery_received_before_is_not_read_again():
    channel = hooked()
    received(channel, load("webhooks/issues.opened.json"), "issues", "d-1")
    again = deliver(channel, load("webhooks/issues.opened.json"), "issues", "d-1")
    assert again.note == "already received" and again.mentions == []


@pytest.mark.parametrize(
    "payload, event, note",
    [
        ("webhooks/ping.json", "ping", "ping: the webhook reaches the desk"),
        ("webhooks/issues.opened.json", "push", "push event: not read by the desk"),
        ("webhooks/issues.opened.json", "issue_comment", "issue_comment event: not read by the desk"),
    ],
)
def test_pings_and_other_events_are_acknowledged_and_left_alone(payload, event, note):
    found = deliver(hooked(), load(payload), event)
    assert found.note == note and found.mentions == []


def test_other_repositories_and_pull_requests_are_left_alone():
    elsewhere = github_channel(
        config={"repositories": ["octo-org/octo-repo"]}, credentials={"token": "t", "webhook_secret": SECRET}
    )
    assert (
        "not one of the channel's repositories"
        in deliver(elsewhere, load("webhooks/issues.opened.json"), "issues").note
    )
    on_a_pull = load("webhooks/issue_comment.created.json")
    on_a_pull["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{HELLO}/pulls/1"}
    found = deliver(hooked(), on_a_pull, "issue_comment")
    assert found.mentions == [] and "pull request" in found.note


def test_a_discussion_comment_joins_its_discussion_and_a_deleted_comment_is_marked():
    channel = hooked()
    received(channel, load("webhooks/discussion.created.json"), "discussion", "d-1")
    received(channel, load("webhooks/discussion_comment.created.json"), "discussion_comment", "d-2")
    received(channel, load("webhooks/issue_comment.deleted.json"), "issue_comment", "d-3")
    discussion, answer = Message.objects.filter(channel=channel, external_id__startswith="MDE").order_by("id")[:2]
    assert answer.ticket_id == discussion.ticket_id and answer.permalink.endswith("#discussioncomment-550062")
    deleted = Message.objects.get(channel=channel, external_id="MDEyOklzc3VlQ29tbWVudDQ5MjcwMDQwMA==")
    assert deleted.deleted_at is not None  # deleted when first seen: kept, marked


@pytest.mark.parametrize("body", [b"payload=%7B%7D", b"\xff\xfe", b"[1, 2]", b'{"a": NaN}'])
def test_a_body_that_is_not_a_json_object_is_refused(body):
    with pytest.raises(DeliveryRejected) as refused:
        deliver(hooked(), None, "issues", body=body)
    assert refused.value.status == 400


def test_a_delivery_without_its_guid_is_refused():
    raw = json.dumps(load("webhooks/issues.opened.json")).encode()
    headers = {"X-GitHub-Event": "issues", "X-Hub-Signature-256": signature_for(SECRET, raw)}
    with pytest.raises(DeliveryRejected, match="X-GitHub-Delivery"):
        delivery_read(channel=hooked(), body=raw, headers=headers)


@responses.activate
def test_a_polled_item_delivered_by_webhook_too_is_stored_once():
    channel = hooked()
    delivered = load("webhooks/issue_comment.created.json")
    add_list(ISSUES_URL.replace("octo-org/octo-repo", HELLO), [delivered["issue"]])
    add_list(COMMENTS_URL.replace("octo-org/octo-repo", HELLO), [delivered["comment"]])
    add_graphql(discussions_answer([], end=None))
    poll(channel)
    before = stored(channel)

    _, result = received(channel, delivered, "issue_comment", "d-9")

    assert result.created == 0 and result.duplicates == 2 and stored(channel) == before
    assert len(before) == 2


def test_the_desks_door_takes_a_repositorys_webhook_once_and_refuses_a_wrong_signature(client):
    """What GitHub does: POST the delivery to `<SITE_URL>/hooks/<slug>/` (intake's door routes it to the platform's
    push_reader); the same delivery sent again is acknowledged and not read again."""
    channel = hooked()
    body = json.dumps(load("webhooks/issues.opened.json")).encode()

    def post(delivery, secret=SECRET):
        return client.post(
            f"/hooks/{channel.slug}/", body, content_type="application/json",
            headers={"X-GitHub-Event": "issues", "X-GitHub-Delivery": delivery,
                     "X-Hub-Signature-256": signature_for(secret, body)},
        )  # fmt: skip

    first, again, forged = post("d-door"), post("d-door"), post("d-other", secret="guess")

    assert (first.status_code, first.json()["created"]) == (201, 1)
    assert (again.status_code, again.json()) == (200, {"note": "already received"})
    assert forged.status_code == 401 and "X-Hub-Signature-256" in forged.json()["error"]
    assert Ticket.objects.filter(channel=channel).count() == 1
    channel.enabled = False
    channel.save(update_fields=["enabled"])
    assert post("d-off").status_code == 404
