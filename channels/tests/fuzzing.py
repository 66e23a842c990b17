"""Property-based tests' raw material: real recorded payloads, mutated the ways the internet breaks
them (keys dropped, wrong types, nulls, huge and NUL strings, lone surrogates, NaN and infinity,
extreme dates and numbers, deep nesting), and the one check every adapter must pass on them.

Each adapter's test file does:

    @fuzz_settings
    @given(data=st.data())
    def test_<kind>_survives_mutated_payloads(data):
        payload = data.draw(mutated(load("some_real_fixture.json")))
        check_parse(lambda: adapter.parse_page(payload))

The number of examples is fixed (DESK_FUZZ_EXAMPLES, 100 by default) and the run derandomised in
CI, so the suite's time and result do not vary from run to run.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels import clean
from channels.adapters.base import AdapterError, FetchResult, IncomingMention, Rejected
from channels.http import build_session
from intake.services.quarantine import mentions_store
from mentions.models import Message

# 100 in the suite: the fuzz tests were a quarter of its time at 200 (404 tests, 451 s on this machine), and CI has
# 30 minutes; a deeper run sets more (DESK_FUZZ_EXAMPLES=1000), derandomised as ever.
FUZZ_EXAMPLES = int(os.environ.get("DESK_FUZZ_EXAMPLES", "100"))

fuzz_settings = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


# The slower fuzz tests' share: those that poll or store run a quarter of the examples.
QUARTER = max(10, FUZZ_EXAMPLES // 4)


def fuzz_each(names: Iterable[Any], *, examples: int = FUZZ_EXAMPLES) -> Callable[[Callable[..., Any]], Any]:
    """A fuzz test run once per payload name (its `name` argument) with `examples` examples drawn from its `data`
    argument: the parametrize, settings and given that every platform's fuzz tests stack."""

    def fuzzed(test: Callable[..., Any]) -> Any:
        drawing = settings(fuzz_settings, max_examples=examples)(given(data=st.data())(test))
        return pytest.mark.parametrize("name", list(names))(drawing)

    return fuzzed


def deep(levels: int = 5000) -> Any:
    """A list nested `levels` deep, built without recursion."""
    value: Any = []
    for _ in range(levels):
        value = [value]
    return value


def deep_dict(levels: int = 5000) -> Any:
    """Objects nested `levels` deep (each level its own object: a shared one would make the
    payload a graph with 2**levels paths)."""
    value: Any = {}
    for level in range(levels):
        value = {"replies": value} if level % 2 else {"children": [value]}
    return value


HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    -(2**80),
    1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "9" * 5000,
    "²",
    "x" * 200_000,
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "1970-01-01T00:00:00",
    "not a date",
    "javascript:alert(1)",
    "https://exa mple.com/\x00",
    "<script>alert(1)</script>",
    "@channel <!here> <@U123|boss>",
    [],
    [None],
    [1, "a", {}],
    {},
    {"": None},
    {"\x00": "\x00"},
    -62135596800,  # year 1 as a Unix time
    253402300800,  # year 10000 as a Unix time
]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys/indices) to a value inside `value`, the root excluded."""
    found: list[tuple] = []
    stack = [(value, prefix)]
    while stack:
        node, path = stack.pop()
        if len(path) > 40:
            continue
        if isinstance(node, dict):
            for key, child in node.items():
                found.append((*path, key))
                stack.append((child, (*path, key)))
        elif isinstance(node, list):
            for index, child in enumerate(node[:50]):
                found.append((*path, index))
                stack.append((child, (*path, index)))
    found.sort(key=repr)
    return found


def _parent(root: Any, path: tuple) -> Any:
    node = root
    for key in path[:-1]:
        node = node[key]
    return node


OPERATIONS = ("drop", "replace", "wrap_list", "wrap_dict", "deep", "deep_dict", "stringify", "duplicate")


@st.composite
def mutated(draw: Any, payload: Any, *, max_mutations: int = 3) -> Any:
    """`payload` with 1 to `max_mutations` mutations at drawn places; the original is untouched."""
    result = copy.deepcopy(payload)
    for _ in range(draw(st.integers(min_value=1, max_value=max_mutations))):
        paths = _paths(result)
        if not paths:
            return copy.deepcopy(draw(st.sampled_from(HOSTILE_VALUES)))
        path = draw(st.sampled_from(paths))
        parent = _parent(result, path)
        key = path[-1]
        operation = draw(st.sampled_from(OPERATIONS))
        current = parent[key]
        if operation == "drop":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
            continue
        if operation == "replace":
            # a copy: mutating a shared hostile value would change what later examples draw
            new: Any = copy.deepcopy(draw(st.sampled_from(HOSTILE_VALUES)))
        elif operation == "wrap_list":
            new = [current]
        elif operation == "wrap_dict":
            new = {"value": current}
        elif operation == "deep":
            new = deep()
        elif operation == "deep_dict":
            new = deep_dict(draw(st.sampled_from([50, 3000])))
        elif operation == "stringify":
            # clean.raw cuts the nesting first: str() of a value nested thousands deep recurses.
            new = str(clean.raw(current))[:1000]
        else:  # duplicate: the same item twice in a list, or a sibling's value
            if isinstance(parent, list):
                parent.append(current)
                continue
            new = current
        parent[key] = new
    return result


def check_parse(parse: Callable[[], Any]) -> list[IncomingMention]:
    """Run `parse` (an adapter's parse_page over a mutated payload) and check the contract:

    - it returns, or raises an AdapterError (a page-level "this is not the documented shape");
      any other exception is a defect;
    - what it returns holds IncomingMentions that are already clean (cleaning them again
      changes nothing) and Rejected items with a reason.
    Returns the mentions, for a test that goes on to store them."""
    try:
        parsed = parse()
    except AdapterError:
        return []
    mentions = getattr(parsed, "mentions", parsed)
    rejected = getattr(parsed, "rejected", [])
    assert isinstance(mentions, list)
    for mention in mentions:
        assert isinstance(mention, IncomingMention), mention
        assert clean.mention_clean(mention) == mention, mention
    for item in rejected:
        assert isinstance(item, Rejected) and item.error
    return mentions


def with_deep_stack(function: Callable[..., Any], *args: Any) -> Any:
    """Run `function` with room on the stack: the strategy's "stringify" and json.dumps recurse once per level
    of a value an earlier mutation nested 5000 deep. The limit is restored before the adapter runs, so a
    RecursionError in the adapter still fails the test."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        return function(*args)
    finally:
        sys.setrecursionlimit(limit)


def draw_mutated(data: Any, payload: Any) -> Any:
    """`mutated(payload)` drawn with room on the stack (see with_deep_stack)."""
    return with_deep_stack(lambda: data.draw(mutated(payload)))


def dumps_deep(value: Any) -> str:
    """JSON text of a payload however deep (the server side of a test may send what the client cannot read)."""
    return with_deep_stack(json.dumps, value)


def check_poll(
    adapter: Any,
    channel: Any,
    url: str,
    page: Any,
    *,
    headers: dict[str, str] | None = None,
    more_routes: Callable[[responses.RequestsMock], Any] | None = None,
    allow_nan: bool = True,
) -> list[FetchResult]:
    """Poll `channel` through `adapter.fetch_chunks` with `url` answering the (mutated) `page`, and check the
    contract: the poll ends or raises an AdapterError (no other exception), and every chunk holds clean
    mentions, a cursor that is storable JSON (`allow_nan` as json.dumps) and rejected items with a reason.
    Returns the chunks (none when the poll raised an AdapterError), for a test's own further checks."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        if more_routes is not None:
            more_routes(mock)
        mock.get(url, body=dumps_deep(page), content_type="application/json", headers=headers)
        return check_fetch(adapter, channel, allow_nan=allow_nan)


def check_fetch(adapter: Any, channel: Any, *, allow_nan: bool = True) -> list[FetchResult]:
    """check_poll's contract for a poll whose answers the caller's own RequestsMock gives (a body that is not JSON,
    a status or a POST): the poll ends or raises an AdapterError, and every chunk holds clean mentions, a storable
    cursor and rejected items with a reason. Returns the chunks (none when the poll raised an AdapterError)."""
    try:
        results = list(adapter.fetch_chunks(channel=channel, session=build_session()))
    except AdapterError:
        return []
    for result in results:
        for mention in result.mentions:
            assert clean.mention_clean(mention) == mention
        json.dumps(result.cursor, allow_nan=allow_nan)  # the cursor is storable JSON
        assert all(r.error for r in result.rejected)
    return results


def check_parses_whole(adapter: Any, payloads: dict[str, Any], names: Iterable[str]) -> None:
    """Each of the named recorded payloads, unmutated, parses to mentions and nothing rejected."""
    for name in names:
        parsed = adapter.parse_page(payloads[name])
        assert parsed.mentions and not parsed.rejected, name


def check_streams_read_back(results: list[FetchResult], load_states: Callable, load_seen: Callable) -> None:
    """A poll's cursor of `streams` and `seen` (Reddit's, Bluesky's) is storable JSON without NUL, and reads back
    as written."""
    for result in results:
        text = json.dumps(result.cursor, allow_nan=False)  # storable JSON
        assert "\\u0000" not in text
        assert load_states(result.cursor) == result.cursor["streams"]  # read back as written
        assert load_seen(result.cursor) == result.cursor["seen"]


def check_stored_whole(parse: Callable[[], Any], channel: Any, **store: Any) -> tuple[Any, Any] | None:
    """Parse a mutated payload with `parse` and store what it gives through mentions_store (`store`: its other
    arguments); check that every item received is accounted for (created, a duplicate or quarantined).
    Returns (parsed page, store result), or None when the parse refused the page with an AdapterError."""
    try:
        parsed = parse()
    except AdapterError:
        return None
    result = mentions_store(channel=channel, mentions=parsed.mentions, rejected=parsed.rejected, **store)
    assert result.created + result.duplicates + result.quarantined == result.received
    assert result.received == len(parsed.mentions) + len(parsed.rejected)
    return parsed, result


def check_messages_have_tickets(channel: Any, *, unless_deleted: bool = False) -> None:
    """Nothing half-stored: every stored message of `channel` has its ticket (with `unless_deleted`, except one
    already deleted when first seen: nothing to answer)."""
    for message in Message.objects.filter(channel=channel):
        assert message.ticket_id is not None or (unless_deleted and message.deleted_at is not None), message.external_id


def check_stored_whole_and_once(parse: Callable[[], Any], channel: Any) -> None:
    """check_stored_whole, then: every stored message has its ticket unless it was already deleted when first
    seen (nothing to answer), and the same mentions delivered again store nothing twice."""
    stored = check_stored_whole(parse, channel)
    if stored is None:
        return
    parsed, _ = stored
    check_messages_have_tickets(channel, unless_deleted=True)
    again = mentions_store(channel=channel, mentions=parsed.mentions)  # redelivered
    assert again.created == 0
