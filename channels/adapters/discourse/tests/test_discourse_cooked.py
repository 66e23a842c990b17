"""Discourse `cooked` HTML to text: images."""

from channels.adapters.discourse import DiscourseAdapter, cooked_to_text
from channels.adapters.discourse.tests.test_discourse_adapter import BASE, latest_page, post

adapter = DiscourseAdapter()

# What Discourse cooks for an uploaded photo larger than the post width (a lightbox around the optimized image).
LIGHTBOX = (
    '<p><div class="lightbox-wrapper"><a class="lightbox" href="/uploads/default/original/2X/a/abc123.jpeg" '
    'data-download-href="/uploads/default/abc123" title="photo.jpeg"><img src="/uploads/default/optimized/2X/a/'
    'abc123_2_666x500.jpeg" alt="photo" data-base62-sha1="abc123" width="666" height="500" '
    'srcset="/uploads/default/optimized/2X/a/abc123_2_666x500.jpeg, /uploads/default/optimized/2X/a/'
    'abc123_2_999x750.jpeg 1.5x"><div class="meta"><svg class="fa d-icon d-icon-far-image svg-icon" '
    'aria-hidden="true"><use href="#far-image"></use></svg><span class="filename">photo.jpeg</span>'
    '<span class="informations">1024\u00d7768 98.1 KB</span><svg class="fa d-icon d-icon-discourse-expand svg-icon" '
    'aria-hidden="true"><use href="#discourse-expand"></use></svg></div></a></div></p>'
)


def test_discourse_inline_image_kept_as_url():
    # An image-only post: its one image, labelled by its alt text, with the original's absolute URL (one URL,
    # not the optimized one too), as the desk shows a link: "label (url)".
    [m] = adapter.parse_payload(latest_page([post(5, cooked=LIGHTBOX)]), base_url=BASE)
    assert m.text == f"[image: photo] ({BASE}/uploads/default/original/2X/a/abc123.jpeg)"

    # A small image (no lightbox), relative: resolved against the forum.
    small = '<p><img src="/uploads/default/original/1X/small.png" alt="small" width="200" height="100"></p>'
    assert cooked_to_text(small, BASE) == f"[image: small] ({BASE}/uploads/default/original/1X/small.png)"

    # Inside a sentence it stays apart from the words around it; emoji stay their :code:.
    inline = (
        '<p>before<img src="https://cdn.example.com/x.png" alt="x">after '
        '<img src="/images/emoji/twitter/tada.png?v=12" title=":tada:" class="emoji" alt=":tada:"></p>'
    )
    assert cooked_to_text(inline, BASE) == "before [image: x] (https://cdn.example.com/x.png) after :tada:"

    # A subfolder forum's uploads already carry the subfolder; protocol-relative CDN URLs become https.
    sub = '<p><img src="/forum/uploads/default/original/1X/a.png"><img src="//cdn.example.com/b.png"></p>'
    assert cooked_to_text(sub, "https://example.com/forum") == (
        "[image] (https://example.com/forum/uploads/default/original/1X/a.png) [image] (https://cdn.example.com/b.png)"
    )

    # Without the forum's address a relative image has no URL: its alt text stands in; a data: image too.
    assert cooked_to_text('<p><img src="/uploads/x.png" alt="diagram"></p>') == "[image: diagram]"
    assert cooked_to_text('<p><img src="data:image/png;base64,AAAA" alt="inline"></p>', BASE) == "[image: inline]"
    # A script-scheme source is never a URL.
    assert cooked_to_text('<p><img src="javascript:alert(1)"></p>', BASE) == ""

    # An image inside a link: the image's URL, then where the link goes.
    linked = '<p><a href="https://example.com/page"><img src="/uploads/y.png"></a></p>'
    assert cooked_to_text(linked, BASE) == f"[image] ({BASE}/uploads/y.png) (https://example.com/page)"


def test_quotes_nested_beyond_the_limit_render_flat_without_recursion():
    depth = 3000
    cooked = '<aside class="quote" data-username="u"><blockquote>' * depth + "<p>core</p>"
    cooked += "</blockquote></aside>" * depth
    text = cooked_to_text(cooked, BASE)
    assert text.startswith("u wrote:\n> u wrote:")
    assert text.count("u wrote:") == 8 and text.rstrip().endswith("core")
