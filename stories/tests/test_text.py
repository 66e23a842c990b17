"""What the detector reads of a mention's text (stories.detection.text): pure functions, no database. The links are the
shapes people share: the same release post with and without scheme, www., trailing slash, fragment and the
sharing parameters X, newsletters and status pages append."""

from stories.detection.text import CACHED_URL_MAX, link_normalise, text_links, text_words

POST = "about.gitlab.com/releases/2026/11/22/gitlab-18-6-released"


def test_the_same_page_shared_in_different_ways_is_one_key():
    shared = [
        f"https://{POST}/",
        f"http://www.{POST}",
        f"https://{POST}/?utm_source=twitter&utm_medium=social",
        f"https://{POST}/#stacked-merge-requests",
        f"https://{POST}?u=twitter",
        f"https://{POST}/?ref=hackernews).",
    ]
    assert {link_normalise(url) for url in shared} == {POST}


def test_a_parameter_that_names_the_page_is_kept_and_a_bare_domain_is_no_page():
    assert (
        link_normalise("https://news.ycombinator.com/item?id=48312907&u=x") == "news.ycombinator.com/item?id=48312907"
    )
    assert link_normalise("https://gitlab.com/") == ""
    assert link_normalise("https://[broken") == ""


def test_a_long_link_is_normalised_the_same_without_being_cached():
    long = f"https://{POST}/" + "a" * CACHED_URL_MAX + "?utm_source=x"
    assert link_normalise(long) == (POST + "/" + "a" * CACHED_URL_MAX)[:290]


def test_words_keep_handles_versions_and_status_codes_and_drop_chatter_and_links():
    words = text_words(f"@gitlab 18.6 is down for anyone else? 502s everywhere https://{POST}")
    assert list(words) == ["@gitlab", "18.6", "down", "502s", "everywher"]
    assert text_links(f"see https://{POST} and https://{POST}/#top") == [POST]
