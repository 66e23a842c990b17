"""Hostile RSS and Atom bodies through the desk's two feed readers: time, peak memory and outcome of each (issue 69).

    .venv/bin/python bench/feed_hostile.py                      # every case at each reader's size cap
    BENCH_TREE=/tmp/main-tree .venv/bin/python bench/feed_hostile.py   # the same against another checkout's code

The readers, each fed bodies up to its own size cap:

- `feed`: what a feed channel's poll does with a feed's body (channels/adapters/feed): `feed_read` at the most
  entries a channel may read (500), every entry's words for the keywords (`entry_words`, the walk's filter), then
  the entries to mentions (`parse_entries`: their text made from their HTML). 4 MB, the client's cap.
- `status`: a status page's or a release blog's feed (stories/incidents/parse.py `feed_parse`). 2 MB, its cap.

The cases are the shapes the fuzzing found, or that cost the most per byte, each filled to the cap: an unknown
`encoding=`, elements nested to the cap (closed, and left open so the body is not well-formed), empty elements
side by side, tiny items, the recorded GitHub releases entry repeated (a large honest feed) and the same with one
stray `&` (malformed: feedparser's lenient reader), tags escaped in text, tags in CDATA, links nested in CDATA, plain
text, and a "billion laughs" declaration.

Each case runs in a fresh child process (Django set up, no database): the body is made, the peak resident memory
reset (`/proc/self/clear_refs`), the reader timed (wall seconds), and its outcome said: entries read, a refusal with
its message, or an exception the reader let through (a bug: the poll says "Internal error"). `peak RSS` is the
child's high-water mark during the read, `grew` what the read added to the RSS it had before (Django and the body).
A case that runs past `--timeout` seconds is killed and said so. Target (issue 69): each case at most 5 s and at most
100 MB grown; no exception let through.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from _common import REPO, load_average  # noqa: E402

READERS = {"feed": 4 * 1024 * 1024, "status": 2 * 1024 * 1024}
FIXTURE = "channels/adapters/feed/tests/fixtures/github_releases_oto.atom"
FEED_URL = "https://github.com/hajimehoshi/oto/releases.atom"
RSS_HEAD = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title><item><title>a</title>'
    b"<guid>https://example.com/1</guid><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate><description>"
)
RSS_TAIL = b"</description></item></channel></rss>"
CASES = (
    "unknown-encoding",
    "nested",
    "nested-unclosed",
    "siblings",
    "tiny-items",
    "real-entries",
    "real-malformed",
    "escaped-tags",
    "cdata-tags",
    "cdata-nested-links",
    "plain-text",
    "billion-laughs",
    # Honest-looking entries, each with some markup: the body is read up to the bounds, not refused (the costliest
    # reads that are accepted).
    "inline-per-entry",
    "tags-per-entry",
    "links-per-entry",
    "malformed-per-entry",
)


def _fill(size: int, unit: bytes, closing: bytes = b"", *, head: bytes = RSS_HEAD, tail: bytes = RSS_TAIL) -> bytes:
    n = max(1, (size - len(head) - len(tail)) // (len(unit) + len(closing)))
    return head + unit * n + closing * n + tail


def _real(size: int) -> bytes:
    recorded = (REPO / FIXTURE).read_bytes()
    found = re.search(rb"<entry>.*?</entry>", recorded, re.S)
    assert found is not None
    entry, extra = found.group(0), len(recorded) - len(found.group(0))
    n = max(1, (size - extra) // (len(entry) + 8))
    entries = b"".join(entry.replace(b"<id>", b"<id>%d-" % i, 1) for i in range(n))
    return recorded[: found.start()] + entries + recorded[found.end() :]


def body_of(case: str, size: int) -> bytes:
    if case == "unknown-encoding":
        return (REPO / FIXTURE).read_bytes().replace(b'encoding="UTF-8"', b'encoding="x-bogus"', 1)
    if case == "nested":
        return _fill(size, b"<a>", b"</a>")
    if case == "nested-unclosed":
        return _fill(size, b"<a>")
    if case == "siblings":
        return _fill(size, b"<a/>")
    if case == "tiny-items":
        return _fill(
            size, b"<item><title>x</title></item>", head=b'<rss version="2.0"><channel>', tail=b"</channel></rss>"
        )
    if case == "real-entries":
        return _real(size)
    if case == "real-malformed":
        return _real(size).replace(b"<title>", b"<title>A & B ", 2)
    if case == "escaped-tags":
        return _fill(size, b"&lt;a&gt;")
    if case == "cdata-tags":
        return _fill(size, b"<a>", head=RSS_HEAD + b"<![CDATA[", tail=b"]]>" + RSS_TAIL)
    if case == "cdata-nested-links":
        return _fill(size, b'<a href="https://e.co/">', b"</a>", head=RSS_HEAD + b"<![CDATA[", tail=b"]]>" + RSS_TAIL)
    if case == "plain-text":
        return _fill(size, b"word ")
    if case.endswith("-per-entry"):
        markup = {
            "inline": b"<b/>" * 90,
            "tags": b"&lt;b&gt;x&lt;/b&gt; " * 45,
            "links": b"<![CDATA[" + b'<a href="/p">x' * 45 + b"</a>" * 45 + b"]]>",
            "malformed": b"<b>x</b> & " * 45,
        }[case.removesuffix("-per-entry")]
        entry = (
            b"<item><title>t</title><guid>https://e.co/%d</guid><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>"
            b"<description>" + markup.replace(b"%", b"%%") + b"</description></item>"
        )
        head, tail = b'<rss version="2.0"><channel><title>t</title>', b"</channel></rss>"
        n = max(1, (size - len(head) - len(tail)) // (len(entry) + 4))
        return head + b"".join(entry % i for i in range(n)) + tail
    if case == "billion-laughs":
        laughs = b"".join(
            b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">' % ((i,) + (i - 1,) * 10)
            for i in range(1, 10)
        )
        return (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">' + laughs + b']><rss version="2.0"><channel>'
            b"<title>&l9;</title><item><title>a</title><guid>g</guid></item></channel></rss>"
        )
    raise SystemExit(f"unknown case {case!r}")


def _status(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _read_with(reader: str, body: bytes) -> str:
    """Run one reader on `body`; its outcome in words."""
    if reader == "feed":
        from channels.adapters.feed.parse import entry_words, feed_read, parse_entries

        answer = feed_read(body, content_type="application/atom+xml", feed=FEED_URL, limit=500)
        words = sum(len(entry_words(raw)) for raw in answer.entries)
        parsed = parse_entries(answer.entries)
        return f"read: {len(parsed.mentions)} mentions, {len(parsed.rejected)} rejected, {words:,} chars of words"
    from datetime import UTC, datetime

    from stories.incidents.parse import feed_parse

    incidents = feed_parse(body, content_type="application/rss+xml", fmt="feed", now=datetime.now(UTC))
    return f"read: {len(incidents)} incidents"


def child(case: str, reader: str, size: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "advocacy.settings"
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DESK_VAR_DIR", str(Path(tempfile.gettempdir()) / "triage-bench-var"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from channels.adapters.base import PayloadError
    from stories.incidents.parse import FeedError

    body = body_of(case, size)
    # Warm the readers' imports so the figure is the read, not the first import.
    _read_with(reader, body_of("plain-text", 4096))
    before = _status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
    started = time.perf_counter()
    try:
        outcome = _read_with(reader, body)
    except (PayloadError, FeedError) as exc:
        outcome = f"refused: {str(exc)[:110]}"
    except Exception as exc:  # what the bench is looking for: an exception a reader lets through
        outcome = f"EXCEPTION {exc.__class__.__name__}: {str(exc)[:90]}"
    seconds = time.perf_counter() - started
    peak = _status("VmHWM")
    print(json.dumps({"seconds": seconds, "peak": peak, "grew": peak - before, "bytes": len(body), "outcome": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=float, default=0, help="bodies of this size (default: each reader's cap)")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated cases (default: all)")
    parser.add_argument("--readers", default=",".join(READERS), help="comma-separated readers (default: both)")
    parser.add_argument("--timeout", type=float, default=240, help="seconds before a case is killed")
    parser.add_argument("--child", nargs=3, metavar=("CASE", "READER", "BYTES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return

    git = shutil.which("git") or "git"
    commit = subprocess.run([git, "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    print(f"code: {REPO} ({commit.stdout.strip() or 'not a git checkout'}); load avg {load_average()}")
    print(f"{'reader':<7} {'case':<19} {'MB':>5} {'seconds':>8} {'peak RSS':>9} {'grew':>7}  outcome")
    worst_seconds, worst_grew, escaped = 0.0, 0.0, 0
    for reader in args.readers.split(","):
        size = int(args.megabytes * 1024 * 1024) if args.megabytes else READERS[reader]
        for case in args.cases.split(","):
            command = [sys.executable, str(Path(__file__).resolve()), "--child", case, reader, str(size)]
            try:
                # In the tree measured: Celery's Django fixup puts the working directory first on sys.path.
                done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout, cwd=REPO)
            except subprocess.TimeoutExpired:
                print(f"{reader:<7} {case:<19} {size / 2**20:>5.1f} {'>' + format(args.timeout, '.0f'):>8}", flush=True)
                worst_seconds, escaped = max(worst_seconds, args.timeout), escaped + 1
                continue
            lines = done.stdout.strip().splitlines()
            if done.returncode != 0 or not lines:
                print(f"{reader:<7} {case:<19} child exited {done.returncode}: {done.stderr.strip()[-300:]}")
                escaped += 1
                continue
            got = json.loads(lines[-1])
            worst_seconds, worst_grew = max(worst_seconds, got["seconds"]), max(worst_grew, got["grew"])
            escaped += got["outcome"].startswith("EXCEPTION")
            print(
                f"{reader:<7} {case:<19} {got['bytes'] / 2**20:>5.1f} {got['seconds']:>8.2f} {got['peak']:>6.0f} MB"
                f" {got['grew']:>4.0f} MB  {got['outcome']}",
                flush=True,
            )
    verdict = "ok" if worst_seconds <= 5 and worst_grew <= 100 and not escaped else "MISS"
    print(
        f"worst: {worst_seconds:.2f} s, {worst_grew:.0f} MB grown, {escaped} exception(s) or timeout(s) let through"
        f" (target: at most 5 s and 100 MB, none let through): {verdict}"
    )


if __name__ == "__main__":
    main()
