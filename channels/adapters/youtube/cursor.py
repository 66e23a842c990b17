"""What a YouTube channel remembers between polls (`Channel.cursor`).

    {"version": 1,
     "quota": {"day": "2026-11-28", "spent": 412, "exhausted": false},
     "seen": {"UgyUBI0HsgL9emxcZpR4AaABAg": 1561258140},
     "replies": {"UgwI_ylXVnzPS8Q-oAV4AaABAg": [2, 1574783504]},
     "videos": {"F1UP7wRCPH8": {"keyword": "gitlab ci", "until": 1575000000}},
     "searched": {"gitlab ci": 1574783504}}

``seen``: the comments handed over, each with its thread's time (a poll re-reads the threads of the last
``follow_days`` days, newest first, and hands over only what is not here). ``replies``: per thread, how many replies
YouTube counted when its replies were last read, so a thread whose replies did not all come with it is asked for
them (``comments.list``) only when it has more. ``videos``: the videos a keyword search found, followed until
``until``; ``searched``: when each keyword was last searched. ``quota``: the day's units (`quota.py`). Entries older
than the window (and a day) are forgotten: no poll reads them again.
"""

from __future__ import annotations

from typing import Any

from channels import clean

from ..poll.stored import Reading, Stored, kept, seconds

SEEN_LIMIT = 20_000  # comment ids kept; beyond it the oldest go (a re-read is then a duplicate the ingest drops)
VIDEOS_LIMIT = 500


def _counts(raw: Any) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {}
    for key, value in clean.mapping(raw).items():
        pair = value if isinstance(value, list) and len(value) == 2 else []
        numbers = [clean.whole(v, minimum=0) for v in pair]
        if clean.ident(key) and len(numbers) == 2 and None not in numbers:
            counts[clean.ident(key)] = [int(n or 0) for n in numbers]
    return counts


def _videos(raw: Any) -> dict[str, dict[str, Any]]:
    videos: dict[str, dict[str, Any]] = {}
    for key, value in clean.mapping(raw).items():
        state = clean.mapping(value)
        until = clean.whole(state.get("until"), minimum=0)
        if clean.ident(key) and until is not None:
            videos[clean.ident(key)] = {"keyword": clean.line(state.get("keyword"), max_length=100), "until": until}
    return dict(list(videos.items())[:VIDEOS_LIMIT])


class Cursor(Stored):
    VERSION = 1
    quota: dict[str, Any] = kept(Reading(clean.mapping), default_factory=dict)  # Quota's, as it dumped it
    seen: dict[str, int] = kept(seconds(limit=SEEN_LIMIT), default_factory=dict)
    replies: dict[str, list[int]] = kept(Reading(_counts), default_factory=dict)
    videos: dict[str, dict[str, Any]] = kept(Reading(_videos), default_factory=dict)
    searched: dict[str, int] = kept(seconds(), default_factory=dict)

    def forget_before(self, moment: int, now: int) -> None:
        """Drop what no poll reads again: comments and threads older than `moment`, videos no longer followed."""
        self.seen = {k: v for k, v in self.seen.items() if v >= moment}
        self.replies = {k: v for k, v in self.replies.items() if v[1] >= moment}
        self.videos = {k: v for k, v in self.videos.items() if v["until"] > now}
