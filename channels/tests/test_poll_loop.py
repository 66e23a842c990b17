"""The poll loop every polled adapter walks with (channels.adapters.polling): streams read in turn while the budget
lasts, a 429 ending the poll, a stream paged newest first from its mark with its resume, a poll's chunks counted
once with a closing chunk when one is owed; and the rule that no adapter writes that loop again.

No HTTP shapes: the streams and pages here are the loop's own inputs (each adapter's recorded fixtures drive it
end to end in channels/adapters/<kind>/tests)."""

import ast
from pathlib import Path

import pytest

from channels.adapters.base import FetchResult, RateLimited
from channels.adapters.poll.walks import MarkedWalk
from channels.adapters.polling import chunk_results, streams_walked

ADAPTERS = Path(__file__).resolve().parent.parent / "adapters"


def test_streams_are_walked_in_turn_until_the_budget_is_spent():
    budget = {"left": 2}

    def walk(stream):
        budget["left"] -= 1
        return stream.upper()

    walked = streams_walked(["a", "b", "c"], walk, can_call=lambda: budget["left"] > 0)
    assert walked.found == [("a", "A"), ("b", "B")] and walked.short and walked.stopped is None


def test_a_429_on_the_first_stream_fails_the_poll_and_later_keeps_what_was_found():
    def walk(stream):
        if stream == "b":
            raise RateLimited("slow down", retry_after=30)
        return stream

    walked = streams_walked(["a", "b", "c"], walk, can_call=lambda: True)
    assert walked.found == [("a", "a")] and walked.short
    assert walked.stopped is not None and walked.stopped.retry_after == 30
    with pytest.raises(RateLimited):
        streams_walked(["b", "a"], walk, can_call=lambda: True)


def _walked(state, pages, *, now, max_pages):
    """`state`'s stream walked over `pages` (page number -> creation times, newest first)."""
    marked = MarkedWalk(
        state, mark_key="mark", now=now, config={"overlap_seconds": 10, "backfill_hours": 1}, max_pages=max_pages,
        can_call=lambda: True,
    )  # fmt: skip

    def read(point, lower, backlog):
        number = point.get("page", 0)
        for moment in pages[number]:
            if moment >= lower:
                marked.saw(moment)
        following = number + 1 if number + 1 in pages else None
        at = {"page": following} if following is not None else {}
        return following is None or min(pages[number]) < lower, at, at

    return marked.run(read)


def test_a_marked_walk_cut_short_keeps_where_to_go_on_and_the_next_poll_drains_it():
    backlog = {0: [1000, 990], 1: [980, 970], 2: [960, 950]}
    state = _walked({"mark": 900}, backlog, now=1100, max_pages=2)
    assert state == {"mark": 1000, "polled_at": 1100, "resume": {"floor": 890, "page": 2}}
    # The next poll: what is new on top (down to the mark's floor), then the backlog's last page.
    later = {0: [1010, 985], 2: [960, 950]}
    assert _walked(state, later, now=1200, max_pages=3) == {"mark": 1010, "polled_at": 1200}


def _result(chunk, made, cursor):
    return FetchResult(mentions=[], cursor=dict(cursor), requests_made=made, more=chunk == "short")


def test_each_chunk_counts_its_own_requests_and_a_closing_chunk_only_when_owed():
    made = {"n": 0}
    cursor = {"at": 0}

    def chunks(after_last):
        for chunk in ("one", "two"):
            made["n"] += 2
            cursor["at"] += 1
            yield chunk
        made["n"] += after_last

    def run(after_last, **options):
        made["n"], cursor["at"] = 0, 0
        return list(
            chunk_results(
                chunks(after_last),
                lambda c, n: _result(c, n, cursor),
                made=lambda: made["n"],
                closing=lambda: "closing",
                **options,
            )
        )

    assert [r.requests_made for r in run(0)] == [2, 2]
    assert [r.requests_made for r in run(1)] == [2, 2, 1]  # a call after the last chunk (a 429) is recorded
    assert [r.requests_made for r in run(0, closes=lambda: True)] == [2, 2, 0]
    empty = list(chunk_results([], lambda c, n: _result(c, n, cursor), made=lambda: 0, closing=lambda: "c"))
    assert len(empty) == 1  # nothing handed over: the poll still records its cursor


def test_no_adapter_counts_its_chunks_requests_or_walks_its_streams_itself():
    """A chunk's requests (`client.made - made`) are counted by the poll engine (channels.adapters.poll) or
    `chunk_results`, and a 429 between streams is handled there or by `streams_walked`: an adapter package that does
    either writes the poll loop again."""
    found = []
    for path in sorted(p for p in ADAPTERS.glob("*/*.py") if p.parent.name != "poll"):
        for node in ast.walk(ast.parse(path.read_text())):
            counted = (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Sub)
                and isinstance(node.left, ast.Attribute)
                and node.left.attr in ("made", "requests_made")
            )
            looped = isinstance(node, ast.For) and any(
                isinstance(h, ast.ExceptHandler) and getattr(h.type, "id", "") == "RateLimited"
                for inner in ast.walk(node)
                if isinstance(inner, ast.Try)
                for h in inner.handlers
            )
            if (counted or looped) and isinstance(node, ast.stmt | ast.expr):
                found.append(f"{path.relative_to(ADAPTERS)}:{node.lineno}")
    assert not found, f"the poll loop written again (use channels.adapters.poll): {found}"
