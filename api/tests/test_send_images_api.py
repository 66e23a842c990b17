"""The API's send with images: `multipart/form-data` with `image` and `image_alt` beside the JSON body, against a
fake X (responses), in the shapes mentions/tests/test_send_reply_images.py names (docs.x.com "Media upload",
"Create media metadata"). The images are made with Pillow (channels/tests/images.py; the animated GIF is
assembled there from one frame Pillow encoded)."""

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile

from api.tokens import token_create
from channels.tests.images import TEXT_NAMED_PNG, animated_gif, png_bytes
from channels.tests.sent import request_json
from mentions.models import ReplySend
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from mentions.tests.test_send_reply import _posted, _ticket_from, _tweet
from mentions.tests.test_send_reply_images import MEDIA_ID, METADATA, UPLOAD, _uploaded

pytestmark = pytest.mark.django_db


def _auth():
    return {"Authorization": f"Bearer {token_create(user=AdvocateFactory(), name='t', scope='write', days=1)[1]}"}


def _multipart(client, ticket, *, images, alts, auth=None, key="api-1"):
    files = [SimpleUploadedFile(f"shot-{n}.png", data, content_type="image/png") for n, data in enumerate(images)]
    return client.post(
        f"/api/tickets/{ticket.pk}/send/",
        {"body": "Here it is.", "key": key, "image": files, "image_alt": alts},
        headers=auth or _auth(),
    )


@responses.activate
def test_a_multipart_send_uploads_each_image_then_posts_once_per_key(client):
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab where?", mentions=["GitLab"]))
    _uploaded()
    _posted()

    auth = _auth()  # one advocate pressing twice
    for _ in range(2):
        answer = _multipart(client, ticket, images=[png_bytes()], alts=["The settings page"], auth=auth)
        assert answer.status_code == 200, answer.content

    assert [c.request.url for c in responses.calls] == [UPLOAD, METADATA, "https://api.x.com/2/tweets"]
    assert request_json(responses.calls[2].request)["media"] == {"media_ids": [MEDIA_ID]}


@pytest.mark.parametrize(
    ("images", "alts", "field"),
    [
        ([TEXT_NAMED_PNG], ["A picture"], "image"),
        ([png_bytes()], [""], "image_alt"),
        ([animated_gif(200, 2000, 2000)], ["A screencast"], "image"),  # 800 million pixels: refused from its header
    ],
    ids=["not-an-image", "no-description", "animation-over-the-pixel-budget"],
)
@responses.activate
def test_what_is_not_a_described_image_is_a_400_on_its_field(client, images, alts, field):
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab where?", mentions=["GitLab"]))

    answer = _multipart(client, ticket, images=images, alts=alts)

    assert answer.status_code == 400 and list(answer.json()) == [field], answer.content
    assert len(responses.calls) == 0 and not ReplySend.objects.exists()


def test_a_channel_whose_platform_takes_no_image_is_a_409(client):
    ticket = TicketFactory()  # Hacker News: no replies from the desk, no images
    MessageFactory(ticket=ticket)

    answer = _multipart(client, ticket, images=[png_bytes()], alts=["A picture"])

    assert answer.status_code == 409 and "cannot carry an image" in answer.json()["detail"], answer.content
