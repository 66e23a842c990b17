"""How X counts a post's length (its reply rule's `count`: channels.adapters.twitter.platform)."""

from __future__ import annotations


def weighted_length(text: str) -> int:
    """X's weighted length: a link is 23, most CJK characters and emoji count 2 (twitter-text's parse_tweet)."""
    # Imported here: twitter-text loads pkg_resources and its emoji table (about 10 MiB), and every process loads
    # the platforms' declarations while few ever count a reply's length (issue 58).
    from twitter_text import parse_tweet

    return int(parse_tweet(text).weightedLength)
