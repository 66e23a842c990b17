"""The walk down to a mark (channels.adapters.poll.walks): a stream paged newest first from its mark, with its resume;
and the rule that no adapter writes the poll loop again (the engine's own rules: channels/tests/test_poll_engine.py).

No HTTP shapes: the streams and pages here are the loop's own inputs (each adapter's recorded fixtures drive it
end to end in channels/adapters/<kind>/tests)."""

import ast
from pathlib import Path

from channels.adapters.poll.walks import MarkedWalk

ADAPTERS = Path(__file__).resolve().parent.parent / "adapters"


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


def test_no_adapter_counts_its_chunks_requests_or_walks_its_streams_itself():
    """A chunk's requests (`client.made - made`) are counted by the poll engine (channels.adapters.poll), and a 429
    between streams is handled there: an adapter package that does either writes the poll loop again."""
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
