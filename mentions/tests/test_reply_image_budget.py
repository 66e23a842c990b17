"""A reply image costs at most a budget of frames x width x height (and of frames) to decode, checked from the
header before any frame is decoded (issue 55: an animated GIF of 200 frames of 2000x2000, 786 KB, held a web
worker for 121 s and ended in a 500, Pillow's decompression-bomb limit being per frame), and a GIF's frames and
canvas are found by walking its blocks as Pillow's decoder does, so a small first frame cannot hide larger ones.

Images: GIFs assembled by channels/tests/images.py (`animated_gif`: one frame encoded by Pillow, repeated in the
GIF89a layout) and PNGs made with Pillow. The page and API cases post to a fake X (responses) in the shapes
mentions/tests/test_send_reply_images.py names; the refused ones never reach it."""

import io

import pytest
import responses
from django.core.exceptions import ValidationError
from PIL import Image

from channels.adapters.reply_rule import IMAGE_TYPES, MiB, ReplyMedia
from channels.tests.images import animated_gif
from mentions.models import ReplySend
from mentions.services.reply_images import MAX_FRAMES, MAX_TOTAL_PIXELS, ImageGiven, gif_extent, images_checked
from mentions.tests.pages import refused_page, result_slot
from mentions.tests.test_send_reply_images import _press, _ticket

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
    said = f"has more than {MAX_FRAMES} frames; the desk sends {MAX_FRAMES} at most"
    with pytest.raises(ValidationError, match=said):
        _checked(animated_gif(MAX_FRAMES + 1, 1, 1))
    many = animated_gif(670_000, 1, 1)  # 16 MiB of one-pixel frames: counted up to the limit, not to the end
    assert len(many) > 16_000_000
    with pytest.raises(ValidationError, match=said):
        _checked(many)
    (kept,) = _checked(animated_gif(MAX_FRAMES, 2, 2))
    assert kept.content_type == "image/gif"


def test_a_gif_whose_later_frames_widen_the_canvas_is_counted_at_the_size_it_decodes_to():
    widening = animated_gif(20, 2000, 2000, opening=(1, 1))
    opened = Image.open(io.BytesIO(widening))
    assert opened.size == (1, 1)  # what the header and the first frame say

    with pytest.raises(ValidationError, match="This animation is 21 frames of 2,000 by 2,000 pixels: 84 million"):
        _checked(widening)


@pytest.mark.parametrize(
    "gif",
    [
        animated_gif(3, 40, 30),
        animated_gif(4, 30, 20, opening=(5, 5)),
        animated_gif(1, 7, 9),
        b"",
        b"GIF89a",
    ],
    ids=["even", "widening", "one-frame", "empty", "header-only"],
)
def test_the_gif_walk_finds_the_frames_and_canvas_pillows_decoder_does(gif):
    frames, width, height = gif_extent(gif, most_frames=MAX_FRAMES)
    if frames == 0:
        with pytest.raises((OSError, SyntaxError)):
            Image.open(io.BytesIO(gif))
        return
    decoded = Image.open(io.BytesIO(gif))
    for n in range(getattr(decoded, "n_frames", 1)):
        decoded.seek(n)
        decoded.load()  # the canvas grows as the frames are decoded
    assert (frames, width, height) == (getattr(decoded, "n_frames", 1), *decoded.size)


def test_a_gif_made_by_pillow_is_walked_as_pillow_reads_it():
    frames = [Image.new("P", (60 + 10 * n, 40), n) for n in range(4)]  # frames of their own sizes
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], comment=b"made by a test", loop=0)
    decoded = Image.open(io.BytesIO(out.getvalue()))
    for n in range(getattr(decoded, "n_frames", 1)):
        decoded.seek(n)
        decoded.load()
    assert gif_extent(out.getvalue(), most_frames=MAX_FRAMES) == (getattr(decoded, "n_frames", 1), *decoded.size)


@responses.activate
def test_on_the_ticket_page_the_refusal_is_beside_the_image_and_nothing_is_sent(advocate_client):
    ticket = _ticket()

    response = _press(advocate_client, ticket, image=ISSUE_GIF, name="screencast.gif")

    slot = result_slot(refused_page(advocate_client, response, ticket, "send"), "send")
    assert "Image: This animation is 200 frames of 2,000 by 2,000 pixels" in slot
    assert len(responses.calls) == 0 and not ReplySend.objects.exists()
