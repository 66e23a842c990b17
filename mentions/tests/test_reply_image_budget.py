"""A reply image costs at most a budget of frames x width x height (and of frames) to decode, checked from the
header before any frame is decoded (issue 55: an animated GIF of 200 frames of 2000x2000, 786 KB, held a web
worker for 121 s and ended in a 500, Pillow's decompression-bomb limit being per frame).

Images: GIFs assembled by channels/tests/images.py (`animated_gif`: one frame encoded by Pillow, repeated in the
GIF89a layout) and PNGs made with Pillow. The page and API cases post to a fake X (responses) in the shapes
mentions/tests/test_send_reply_images.py names; the refused ones never reach it."""

import io

import pytest
import responses
from django.core.exceptions import ValidationError
from PIL import Image

from channels.adapters.platform import IMAGE_TYPES, MiB, ReplyMedia
from channels.tests.images import animated_gif
from mentions.models import ReplySend
from mentions.services.reply_images import MAX_FRAMES, MAX_TOTAL_PIXELS, ImageGiven, images_checked
from mentions.tests.pages import refused_page, result_slot
from mentions.tests.test_send_reply_images import _press, _ticket, advocate_client  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
ANY = ReplyMedia(4, 16 * MiB, IMAGE_TYPES)
ISSUE_GIF = animated_gif(200, 2000, 2000)


def _checked(data: bytes):
    return images_checked([ImageGiven(data=data, alt="A looping screencast")], ANY, where="X")


def test_the_issues_gif_is_refused_from_its_header_naming_frames_and_pixels():
    assert len(ISSUE_GIF) < 800_000  # small on disk; 800 million pixels to decode

    with pytest.raises(ValidationError) as refused:
        _checked(ISSUE_GIF)

    assert refused.value.message_dict == {
        "image": [
            "This animation is 200 frames of 2,000 by 2,000 pixels: 800 million pixels in all, and the desk "
            "sends 25 million at most. Make it smaller or shorter."
        ]
    }


def test_the_budget_counts_every_frame_and_a_still_image_too():
    side = 2000
    within = MAX_TOTAL_PIXELS // (side * side)  # 6 frames of 2000x2000: 24 million
    with pytest.raises(ValidationError, match=f"{within + 1} frames of 2,000 by 2,000"):
        _checked(animated_gif(within + 1, side, side))
    with pytest.raises(ValidationError, match="This image is 5,000 by 5,001 pixels: 25 million"):
        _checked(animated_gif(1, 5000, 5001))  # one frame over the budget by 5,000 pixels

    (kept,) = _checked(animated_gif(within, 2000, 2000 - 1))  # just inside the budget: sent
    assert kept.content_type == "image/gif" and (kept.width, kept.height) == (2000, 1999)


def test_an_animation_inside_the_budget_keeps_every_frame():
    frames = [Image.new("P", (300, 200), n) for n in range(5)]  # five different frames
    for frame in frames:
        frame.putpalette([v for n in range(5) for v in (n * 50, 0, 255 - n * 50)])
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0)

    (kept,) = _checked(out.getvalue())

    assert getattr(Image.open(io.BytesIO(kept.data)), "n_frames", 1) == 5


def test_frames_are_bounded_apart_from_their_pixels():
    with pytest.raises(ValidationError, match=f"has {MAX_FRAMES + 1} frames; the desk sends {MAX_FRAMES} at most"):
        _checked(animated_gif(MAX_FRAMES + 1, 1, 1))
    (kept,) = _checked(animated_gif(MAX_FRAMES, 2, 2))
    assert kept.content_type == "image/gif"


@responses.activate
def test_on_the_ticket_page_the_refusal_is_beside_the_image_and_nothing_is_sent(advocate_client):  # noqa: F811
    ticket = _ticket()

    response = _press(advocate_client, ticket, image=ISSUE_GIF, name="screencast.gif")

    slot = result_slot(refused_page(advocate_client, response, ticket, "send"), "send")
    assert "Image: This animation is 200 frames of 2,000 by 2,000 pixels" in slot
    assert len(responses.calls) == 0 and not ReplySend.objects.exists()
