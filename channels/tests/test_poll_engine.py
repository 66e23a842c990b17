"""The poll engine every polled adapter declares its part on (channels.adapters.poll): streams walked in turn, each
taken when reached; a page or a whole poll handed over with the cursor just after it and its requests counted once;
a closing chunk when one is owed; the budget or a 429 cutting the walk without losing what was read; a poll handed
over whole de-duplicated and oldest first.

No HTTP shapes: the adapter here is the engine's own input, a stand-in that declares streams of made-up pages (each
platform's recorded fixtures drive the engine end to end in channels/adapters/<kind>/tests)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from channels.adapters.base import IncomingMention, PollStopped, RateLimited
from channels.adapters.guard import Parsed
from channels.adapters.poll.adapter import PolledAdapter
from channels.adapters.poll.engine import Page, Poll, polled
from channels.models import Channel


class Client:
    """Counts its calls against a budget, and keeps the 429 that ended the walk (as channels.http.PollBudget)."""

    def __init__(self, budget: int = 10) -> None:
        self.made, self.budget = 0, budget
        self.stopped: RateLimited | None = None

    def can_call(self) -> bool:
        return self.made < self.budget and self.stopped is None

    def call(self) -> None:
        if not self.can_call():
            raise PollStopped("budget")
        self.made += 1


class Cursor:
    def __init__(self) -> None:
        self.at: list[str] = []

    def dump(self) -> dict[str, Any]:
        return {"at": list(self.at)}


def mention(ident: str, second: int) -> IncomingMention:
    return IncomingMention(external_id=ident, created_at=datetime.fromtimestamp(second, UTC), text=ident)


class Stand(PolledAdapter):
    """Streams of pages given as lists of (id, second); each page costs one call and moves the cursor to it."""

    kind = "stand-in"

    def __init__(self, streams: list[list[list[tuple[str, int]]]], *, fail: Any = None) -> None:
        self.pages, self.fail = streams, fail
        self.handed: list[str] = []

    def stream(self, poll: Poll[Client, Cursor], number: int) -> Iterator[Page]:
        for index, page in enumerate(self.pages[number]):
            if self.fail and self.fail[:2] == (number, index):
                if self.fail[2] == "429":
                    raise RateLimited("slow down", retry_after=30)
                poll.client.stopped = RateLimited("slow down", retry_after=30)
                raise PollStopped("429 after an answered call")
            poll.client.call()
            poll.cursor.at.append(f"{number}.{index}")
            items = [{"id": ident, "at": second} for ident, second in page]
            yield Page(items=items, more=index < len(self.pages[number]) - 1, reads=len(items))

    def streams(self, poll: Poll[Client, Cursor]) -> Iterator[Iterator[Page]]:
        return (self.stream(poll, number) for number in range(len(self.pages)))

    def parse_items(self, poll: Poll[Client, Cursor], items: list[Any]) -> Parsed:
        return Parsed(mentions=[mention(item["id"], item["at"]) for item in items])

    def handed_over(self, poll: Poll[Client, Cursor], parsed: Parsed) -> None:
        self.handed = [m.external_id for m in parsed.mentions]

    def status(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        return {"calls_left": poll.client.budget - poll.client.made}


def run(adapter: Stand, budget: int = 10) -> list:
    poll = Poll(Channel(slug="stand-in"), {}, Client(budget), Cursor(), 0.0)
    return list(polled(adapter, poll))


def test_each_page_is_a_chunk_with_the_cursor_just_after_it_and_its_own_requests():
    results = run(Stand([[[("a", 1)], [("b", 2)]], [[("c", 3)]]]))
    assert [[m.external_id for m in r.mentions] for r in results] == [["a"], ["b"], ["c"]]
    assert [r.cursor["at"] for r in results] == [["0.0"], ["0.0", "0.1"], ["0.0", "0.1", "1.0"]]
    assert [r.requests_made for r in results] == [1, 1, 1]  # no closing chunk: none is owed
    assert [r.more for r in results] == [True, False, False]
    assert results[-1].platform_status["calls_left"] == 7 and results[-1].platform_status["backlog"] is False


class ThenACall(Stand):
    def stream(self, poll: Poll[Client, Cursor], number: int) -> Iterator[Page]:
        yield from super().stream(poll, number)
        poll.client.call()  # a page with nothing new: no page handed over, a request made


class Whole(Stand):
    hand_over = "poll"


def test_a_call_after_the_last_page_is_counted_in_a_closing_chunk():
    results = run(ThenACall([[[("a", 1)]]]))
    assert [(len(r.mentions), r.requests_made) for r in results] == [(1, 1), (0, 1)]


def test_a_poll_that_hands_over_nothing_still_records_its_cursor_in_a_closing_chunk():
    results = run(Stand([[]]))
    assert len(results) == 1 and results[0].mentions == [] and results[0].more is False


def test_a_spent_budget_cuts_the_walk_keeps_what_was_read_and_says_there_is_more():
    results = run(Stand([[[("a", 1)], [("b", 2)]], [[("c", 3)]]]), budget=1)
    assert [[m.external_id for m in r.mentions] for r in results] == [["a"], []]
    assert results[-1].more and results[-1].cursor == {"at": ["0.0"]}  # the closing chunk: cut, more to read


def test_a_429_before_anything_was_read_fails_the_poll_and_after_it_keeps_what_was_read():
    with pytest.raises(RateLimited):
        run(Stand([[[("a", 1)]]], fail=(0, 0, "429")))
    results = run(Stand([[[("a", 1)], [("b", 2)]], [[("c", 3)]]], fail=(0, 1, "429")))
    assert [m.external_id for r in results for m in r.mentions] == ["a"]
    closing = results[-1]
    assert closing.more and closing.not_before is not None and closing.platform_status["rate_limited_until"]


def test_a_429_after_an_answered_call_ends_the_stream_and_the_scheduler_waits_what_it_asked():
    results = run(Stand([[[("a", 1)], [("b", 2)]], [[("c", 3)]]], fail=(0, 1, "stopped")))
    # The next stream is still asked (its client then stops at once): nothing more is read.
    assert [m.external_id for r in results for m in r.mentions] == ["a"]
    assert results[-1].more and results[-1].not_before is not None


def test_a_poll_handed_over_whole_is_one_chunk_each_item_once_oldest_first():
    adapter = Whole([[[("b", 5), ("a", 9)]], [[("a", 9), ("c", 1)]]])
    [result] = run(adapter)
    assert [m.external_id for m in result.mentions] == ["c", "b", "a"]  # "a" from the first stream only
    assert adapter.handed == ["c", "b", "a"] and result.cursor == {"at": ["0.0", "1.0"]}
    assert (result.requests_made, result.reads, result.more) == (2, 4, False)


def test_a_poll_handed_over_whole_begins_a_stream_only_within_the_budget():
    [result] = run(Whole([[[("a", 1)]], [[("b", 2)]]]), budget=1)
    assert [m.external_id for m in result.mentions] == ["a"] and result.more
