"""The team model's client (mentions.assistant.client) against a hostile endpoint: how long each exchange holds the
worker and how it ends, one case at a time, against a real TCP server on 127.0.0.1 (mentions/tests/hostile_fake.py).

    .venv/bin/python bench/model_client_hostile.py                  # the probe's figures: 5 s timeout, 2 s a byte
    .venv/bin/python bench/model_client_hostile.py --timeout 1 --gap 0.2 --header-bytes 10 --bomb-mb 50

Cases: a valid answer (the floor); the status line at once and the headers a byte every --gap seconds, then a valid
answer; the body a byte every --gap seconds; a gzip bomb (--bomb-mb MB of spaces, gzipped); a --big-mb MB answer
with its Content-Length, and chunked without one; a body nested --depth deep; a valid answer whose verdict is
nested --depth deep (read by mentions.assistant.judge.verdict_parse, as the judging reads it); a body that is not
JSON. Each row: the case, the seconds from the request to its end, and the outcome: the client's error class and
words, "answer" when one was taken, or another exception that escaped the client (which a judging batch would not
survive). The last column is the process's peak resident memory (VmHWM) after the case: it only grows, so a case
that raised it is the one that read too much.

Target: every hostile case ends in the client's one error class, or in an answer with no verdict read from it
(either way the desk keeps its verdict), within the timeout and one second. A missed target prints MISS; an
exception of another class exits non-zero. Needs Django's settings (the client reads DESK_USER_AGENT and the
allowed networks) and so a database, which it leaves empty.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_model_client")

from _common import machine_print, setup_django

VERDICT = '{"judgement": "needs_response", "intent": "bug", "reason": "Reports a failing runner"}'


def _peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _cases(args: argparse.Namespace) -> list[tuple[str, Callable[[], Callable], bool]]:
    """(case, the server's answer, whether the verdict inside is read too), built before any is timed."""
    from mentions.tests import hostile_fake as h

    bomb = h.gzip_bomb_bytes(args.bomb_mb)
    big = h.big_answer(args.big_mb)
    deep = h.nested(args.depth)
    return [
        ("valid answer (floor)", lambda: h.plain(VERDICT), True),
        (
            f"slow headers ({args.header_bytes} B, 1 B/{args.gap:g} s)",
            lambda: h.slow_headers(VERDICT, gap=args.gap, header_bytes=args.header_bytes),
            True,
        ),
        (f"slow body (1 B/{args.gap:g} s)", lambda: h.slow_body(VERDICT, gap=args.gap), True),
        (f"gzip bomb ({len(bomb) // 1000} kB -> {args.bomb_mb} MB)", lambda: h.gzipped(bomb), False),
        (f"{args.big_mb} MB answer, Content-Length", lambda: h.raw_body(big), False),
        (f"{args.big_mb} MB answer, chunked", lambda: h.chunked(big), False),
        (f"body nested {args.depth:,} deep", lambda: h.raw_body(deep), False),
        (f"verdict nested {args.depth:,} deep", lambda: h.plain(deep.decode()), True),
        ("invalid JSON", lambda: h.raw_body(b'{"choices": [{"message": '), False),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=5.0, help="the endpoint's timeout, seconds")
    parser.add_argument("--gap", type=float, default=2.0, help="seconds between trickled bytes")
    parser.add_argument("--header-bytes", type=int, default=60, help="the trickled header's length")
    parser.add_argument("--bomb-mb", type=int, default=1000, help="the gzip bomb's size once inflated")
    parser.add_argument("--big-mb", type=int, default=10, help="the big answer's size")
    parser.add_argument("--depth", type=int, default=100_000, help="the nested answers' depth")
    args = parser.parse_args()

    setup_django()
    machine_print()
    from mentions.assistant.client import Endpoint, TeamModelClient, TeamModelError
    from mentions.assistant.judge import verdict_parse
    from mentions.tests.hostile_fake import hostile

    print(f"timeout {args.timeout:g} s; peak RSS before the cases {_peak_mb():.0f} MB", flush=True)
    print(f"\n{'case':<42} {'seconds':>8}  {'peak MB':>7}  outcome")
    escaped = missed = 0
    for name, answer, read_verdict in _cases(args):
        with hostile(answer()) as server:
            client = TeamModelClient(Endpoint(base_url=server.base_url, model="llama3.1:8b", timeout=args.timeout))
            started = time.monotonic()
            try:
                got = client.chat([{"role": "user", "content": "Judge this."}], max_tokens=200, json_object=True)
                verdict = verdict_parse(got.content) if read_verdict else None
                outcome = "answer" + (f", verdict {verdict.judgement}" if verdict else ", no verdict")
                # A hostile case may end in an answer only when no verdict is read from it (the desk's stands).
                hostile_case = not name.startswith("valid") and (verdict is not None or not read_verdict)
            except TeamModelError as exc:
                outcome = f"{type(exc).__name__}: {exc}"
                hostile_case = False
            except Exception as exc:  # what escapes the client: the defect this bench looks for
                outcome = f"ESCAPED {type(exc).__name__}"
                hostile_case = False
                escaped += 1
            seconds = time.monotonic() - started
            client.close()
        late = seconds > args.timeout + 1.0
        missed += hostile_case or late
        mark = "  MISS" if hostile_case or late else ""
        print(f"{name:<42} {seconds:>8.2f}  {_peak_mb():>7.0f}  {outcome[:90]}{mark}", flush=True)
    print(f"\nTarget: every hostile case ends in the client's error within {args.timeout + 1:g} s: {missed} missed")
    if escaped:
        sys.exit(f"{escaped} case(s) escaped the client with another exception")


if __name__ == "__main__":
    main()
