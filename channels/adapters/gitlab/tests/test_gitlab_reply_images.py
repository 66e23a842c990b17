"""A reply with an image on a GitLab issue, at the HTTP boundary: the upload to the project, then the note.

Shapes: ``POST /projects/:id/uploads`` (multipart ``file``) answers as docs.gitlab.com "Project markdown uploads",
"Upload a file" shows: ``{"id", "alt", "url": "/uploads/<32 hex>/<name>", "full_path":
"/-/project/<id>/uploads/<32 hex>/<name>", "markdown"}``; refusals are ``{"message": ...}`` (413 over the
instance's limit). The note is the documented one test_gitlab_adapter.py posts (fixtures/SOURCES.md)."""

import pytest
import responses

from channels.adapters.base import ReplyError, ReplyTarget
from channels.http import build_session
from channels.tests.images import multipart_parts, outgoing
from channels.tests.sent import request_json

from .shapes import API, BASE, load, note
from .test_gitlab_adapter import _account, adapter

pytestmark = pytest.mark.django_db
UPLOADS = f"{API}/projects/4/uploads"
NOTES = f"{API}/projects/4/issues/1/notes"
SECRET = "66dbcd21ec5d24ed6ea225176098d52b"
UPLOADED = {
    "id": 5,
    "alt": "image-1",
    "url": f"/uploads/{SECRET}/image-1.png",
    "full_path": f"/-/project/4/uploads/{SECRET}/image-1.png",
    "markdown": f"![image-1](/uploads/{SECRET}/image-1.png)",
}
TARGET = ReplyTarget(
    external_id="4/issues/1",
    thread_id="4/issues/1",
    permalink=f"{BASE}/g/p/-/issues/1",
    raw=load("issues_list_docs.json")[0],
)


def _send(channel, account):
    return adapter.post_reply(
        channel=channel, account=account, session=build_session(), target=TARGET, text="Like this:",
        media=[outgoing(alt="The\nrunner settings")],
    )  # fmt: skip


@responses.activate
def test_the_image_is_uploaded_to_the_project_then_the_note_shows_it_described():
    channel, account = _account({"access_token": "oauth-token-1", "username": "desk-bot"})
    responses.post(UPLOADS, json=UPLOADED, status=201)
    responses.post(NOTES, json=note(900, 1, at="2026-01-05T10:00:00.000Z", username="desk-bot"), status=201)

    sent = _send(channel, account)

    upload, created = (c.request for c in responses.calls)
    assert upload.headers["Authorization"] == "Bearer oauth-token-1"
    assert multipart_parts(upload)["file"][:2] == ("image-1.png", "image/png")
    assert request_json(created) == {"body": f"Like this:\n\n![The runner settings](/uploads/{SECRET}/image-1.png)"}
    assert sent.media[0].url == BASE + str(UPLOADED["full_path"])


@responses.activate
def test_a_refused_upload_posts_no_note():
    channel, account = _account({"access_token": "oauth-token-1", "username": "desk-bot"})
    responses.post(UPLOADS, json={"message": "413 Request Entity Too Large"}, status=413)

    with pytest.raises(ReplyError, match=r"GitLab refused the image \(413\): 413 Request Entity Too Large"):
        _send(channel, account)

    assert [c.request.url for c in responses.calls] == [UPLOADS]
