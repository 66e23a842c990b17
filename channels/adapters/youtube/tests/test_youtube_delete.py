"""Deleting our own YouTube comment from the desk (``comments.delete``) at the HTTP boundary (`responses`).

Shapes: the request and its answer are those developers.google.com/youtube/v3/docs/comments/delete documents
(``DELETE https://www.googleapis.com/youtube/v3/comments?id=<comment id>``, no request body, ``204 No Content`` when
done; its errors ``processingFailure`` 400, ``forbidden`` 403, ``commentNotFound`` 404) in Google's error body as the
recorded fixtures/error_permission.json has it (shapes.google_error); quotaExceeded is
developers.google.com/youtube/v3/docs/errors'. Nothing of comments.delete is recorded in fixtures/: a 204 has no
body to record. The comment deleted is the one a reply stored, from the recorded ``comments.insert`` answer
(fixtures/comment_insert.json)."""

import time

import pytest
import responses

from channels.adapters.base import ReplyError, ReplyTarget
from channels.adapters.youtube import YoutubeAdapter
from channels.adapters.youtube.client import COMMENTS_URL
from channels.adapters.youtube.tests import shapes
from channels.adapters.youtube.tests.shapes import ASKER, OURS
from channels.http import build_session
from channels.models import Account

pytestmark = pytest.mark.django_db

adapter = YoutubeAdapter()
TOKEN = "ya29.a0AfB_test-access-token-delete-0123456789"
POSTED = "Ugy_CAftKrIUCyPr9GR4AaABAg.9iPXEClD9lW9iPXLqKy_Pt"  # comment_insert.json's id


def _account(channel):
    account = Account(
        channel=channel, username=OURS, status=Account.Status.CONNECTED, reply_mode=Account.ReplyMode.DESK
    )
    account.tokens = {"access_token": TOKEN, "refresh_token": "1//refresh"}
    account.save()
    return account


def _our_reply(channel, account):
    """What the desk stores of a reply it posted (the recorded comments.insert answer), as the target to delete."""
    top = "Ugy_CAftKrIUCyPr9GR4AaABAg"
    mention = adapter.parse_page(shapes.thread(top, time.time() - 60))
    asked = mention.mentions[0]
    responses.post(COMMENTS_URL, json=shapes.load("comment_insert.json"))
    sent = adapter.post_reply(
        channel=channel, account=account, session=build_session(),
        target=ReplyTarget(external_id=asked.external_id, raw=asked.raw), text="Fixed in 17.3.",
    )  # fmt: skip
    return ReplyTarget(external_id=sent.external_id, permalink=sent.permalink, raw=sent.raw, author_handle=OURS)


def _delete(channel, account, target):
    adapter.act("delete_post", channel=channel, account=account, session=build_session(), target=target)


@responses.activate
def test_delete_asks_comments_delete_for_our_comment_as_the_connected_account():
    channel = shapes.youtube_channel()
    account = _account(channel)
    target = _our_reply(channel, account)
    responses.delete(COMMENTS_URL, status=204)

    _delete(channel, account, target)

    request = responses.calls[-1].request
    assert request.method == "DELETE"
    assert request.url == f"{COMMENTS_URL}?id={POSTED}"
    assert not request.body
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


@responses.activate
def test_a_comment_already_gone_is_deleted():
    channel = shapes.youtube_channel()
    account = _account(channel)
    target = _our_reply(channel, account)
    responses.delete(
        COMMENTS_URL, status=404, json=shapes.google_error(404, "commentNotFound", "The comment could not be found.")
    )

    _delete(channel, account, target)  # done: no error

    assert len(responses.calls) == 2


@responses.activate
@pytest.mark.parametrize(
    ("status", "reason", "said"),
    [
        (403, "forbidden", "only the channel that posted a comment can"),
        (400, "processingFailure", "could not process the deletion (processingFailure)"),
        (403, "quotaExceeded", "quota for today is used up"),
        (500, "backendError", "backendError"),
    ],
)
def test_a_refused_deletion_says_why_in_words_and_never_shows_the_token(status, reason, said):
    channel = shapes.youtube_channel()
    account = _account(channel)
    target = _our_reply(channel, account)
    responses.delete(COMMENTS_URL, status=status, json=shapes.google_error(status, reason, f"{reason} for {TOKEN}"))

    with pytest.raises(ReplyError) as refused:
        _delete(channel, account, target)

    assert said in str(refused.value) and "still there" in str(refused.value)
    assert TOKEN not in str(refused.value)


def test_a_target_without_an_id_is_refused_before_any_call():
    with pytest.raises(ReplyError, match="delete it on YouTube"):
        adapter.delete_post(
            channel=shapes.unsaved({}), account=Account(username=ASKER), session=build_session(),
            target=ReplyTarget(external_id=""),
        )  # fmt: skip


def test_youtube_declares_delete_and_its_adapter_does_it():
    from channels.adapters.registry import platform_of

    assert platform_of("youtube").actions == {"delete": "Delete"}
    assert YoutubeAdapter.offers("delete_post")
