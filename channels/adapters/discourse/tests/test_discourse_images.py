"""Discourse images, emoji and link previews in the stored text, on posts recorded from a production forum
(discuss.criticalfallibilism.com) by XertroV/discourse-rss-auto-archive-linked-content `api-examples/`
(fixtures/discourse/SOURCES.md, "Added for issue 26"): lightbox images (alt "image", Discourse's default), a
lightbox image inside a quote, inline oneboxes (`a.inline-onebox`), a block onebox (`aside.onebox` with
`data-onebox-src`) and an emoji. Read through the adapter's parser and, for one post, `ingest_payload`."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from channels.adapters.discourse import DiscourseAdapter
from channels.adapters.discourse.tests.test_discourse_adapter import FIXTURES, discourse_channel
from mentions.models import Message

pytestmark = pytest.mark.django_db

FORUM = "https://discuss.criticalfallibilism.com"
UPLOADS = f"{FORUM}/uploads/default/original/2X"
adapter = DiscourseAdapter()


def parsed(name):
    page = adapter.parse_page(json.loads((FIXTURES / name).read_text()), base_url=FORUM)
    assert page.rejected == []
    return {m.external_id: m for m in page.mentions}


def test_lightbox_images_are_labelled_and_keep_the_originals_link():
    found = parsed("posts_latest_images_real.json")
    announcement = found["20203"].text
    images = [line for line in announcement.splitlines() if line.startswith("[image]")]
    assert images == [
        f"[image] ({UPLOADS}/c/c4211398808a5b4768470bb5f33239c38a10f03a.png)",
        f"[image] ({UPLOADS}/f/fd1d271596c12ca0e7f5d3fd3e265460066a899b.png)",
        f"[image] ({UPLOADS}/1/14a1571029154f28005079462b63cba806e05129.png)",
        f"[image] ({UPLOADS}/6/6519f4dadfcd4614c750a5b1de748243edd2af3c.png)",
        f"[image] ({UPLOADS}/6/66066fdcbe8331abd4b6d9e994c06ce0d0eb258b.jpeg)",
        f"[image] ({UPLOADS}/d/dea9ff4a70d9d92b157177918368a69ba7d79aa1.png)",
    ]
    # The block onebox: its URL on its own line, the preview's site icon and thumbnail left out.
    assert "\n\nhttps://cf-archiver.xk.io/?nonce=1\n\n" in announcement
    assert "optimized" not in announcement and "1.5x" not in announcement  # one URL per image, the original
    assert "So I tree\u2019d it like this:\n\n[image] (" in found["20184"].text


def test_inline_oneboxes_keep_their_title_and_link_and_quoted_images_stay_in_the_quote():
    found = parsed("topic_2108_view_images_real.json")
    assert found["19934"].text.count(":rofl:") == 1  # an emoji stays its :code:
    assert (
        "When Intimate Partner Violence Meets Same Sex Couples: A Review of Same Sex Intimate Partner Violence - "
        "PMC (https://pmc.ncbi.nlm.nih.gov/articles/PMC6113571/)" in found["20130"].text
    )
    quoted = found["20143"].text
    assert f"> [image] ({UPLOADS}/2/2c32b30be212a258625aeb8bcaced3eb2d02c41e.jpeg)" in quoted
    assert (
        "Forum Formatting Tests - #3 by anonymous45 "
        "(https://discuss.criticalfallibilism.com/t/forum-formatting-tests/466/3)" in quoted
    )
    assert "(https://pubmed.ncbi.nlm.nih.gov/37705427/)" in quoted


def test_the_stored_message_keeps_the_images(tmp_path):
    channel = discourse_channel(config={"base_url": FORUM})
    page = json.loads((FIXTURES / "posts_latest_images_real.json").read_text())
    path = tmp_path / "latest.json"
    path.write_text(json.dumps(page))
    out = StringIO()
    call_command("ingest_payload", "--channel", channel.slug, str(path), stdout=out)
    assert json.loads(out.getvalue())["created"] == 2
    body = Message.objects.get(channel=channel, external_id="20184").body
    assert f"[image] ({UPLOADS}/1/1880b6795bacf6cc3f1e5243a827554f68afd084.png)" in body
