"""Reading what Slack sent before anything trusts its shape: the request body as Slack encodes it (JSON for the
Events API, a form field `payload` holding JSON for interactions), and the documented shape of every field that
Bolt routes by and the desk's handlers read.

Three outcomes, for the HTTP endpoints (slackapp.receive), Socket Mode (slackapp.socket_mode) and the worker
(slackapp.tasks) alike:

- `Refused`: the body cannot be a Slack delivery at all (not UTF-8, not JSON, not an object, no `type`, nested
  deeper than any payload Slack documents, a message or event timestamp that is not a Slack timestamp). Nothing
  is stored; HTTP answers 400 with the reason, so the person who pressed a shortcut on it sees it fail at once.
- `delivery_problem(body)` names the first field not in Slack's documented shape (`actions: a list of objects
  (got null)`): the delivery is stored as it came, never handed to Bolt (whose routing indexes those fields), and
  the worker marks it failed with that error at once.
- neither: a delivery Bolt and the handlers can read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from channels import clean
from channels.adapters.slack import TS_PATTERN, message_problem, type_name

# A body nested deeper than this is refused: every Slack payload is far shallower (a view's state is 7 levels),
# and what is stored is then stored whole (clean.raw cuts values nested deeper than this).
MAX_DEPTH = clean.RAW_MAX_DEPTH
# Slack's interaction payloads name the team, user, channel and enterprise with objects.
EVENT_TYPES = {"event_callback", "url_verification", "app_rate_limited"}
# The Slack timestamps the handlers read (a shortcut's message, a reaction's item, a thread): Slack writes each as
# "1355517523.000005". Another text is no delivery of Slack's; a message_ts of 999999999999.999999 reached the
# worker and failed five times with "year 33658 is out of range" (issue 55).
TIMESTAMPS = (
    ("message", "ts"),
    ("message", "thread_ts"),
    ("message_ts",),
    ("container", "message_ts"),
    ("container", "thread_ts"),
    ("event", "ts"),
    ("event", "thread_ts"),
    ("event", "event_ts"),
    ("event", "item", "ts"),
    ("event", "message", "ts"),
    ("event", "message", "thread_ts"),
    ("event", "previous_message", "ts"),
)


class Refused(ValueError):
    """The body cannot be a Slack delivery; the message is the short reason the sender is given."""


def body_read(raw: bytes, content_type: str) -> dict[str, Any]:
    """The delivery in a request body, read the way Bolt reads it (slack_bolt.request.internals.parse_body):
    JSON when the content type says so or the body starts with "{", else a form whose `payload` field holds
    the JSON. Raises Refused."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("The body is not UTF-8 text.") from None
    if not text:
        raise Refused("The body is empty.")
    if content_type.split(";")[0].strip() == "application/json" or text.startswith("{"):
        found = _json(text, "The body")
    elif "payload" in text:
        payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
        if payload is None:
            raise Refused("The form has no payload field.")
        found = _json(payload, "The payload field")
    else:
        raise Refused("The body is neither JSON nor a form with a payload field.")
    delivery_check(found)
    return found


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise Refused(f"{what} is nested more than {MAX_DEPTH} levels deep.") from None
    except ValueError:
        raise Refused(f"{what} is not JSON.") from None


def delivery_check(body: Any) -> None:
    """Raises Refused unless `body` could be a delivery: an object, with a `type`, at most MAX_DEPTH deep."""
    if not isinstance(body, dict):
        raise Refused(f"The body is {type_name(body)}, not a JSON object.")
    if depth(body) > MAX_DEPTH:
        raise Refused(f"The body is nested more than {MAX_DEPTH} levels deep.")
    kind = body.get("type")
    if not isinstance(kind, str) or not kind.strip():
        raise Refused("The body has no type: not a Slack delivery.")
    problem = timestamp_problem(body)
    if problem:
        raise Refused(problem)


def timestamp_problem(body: dict[str, Any]) -> str:
    """The first of TIMESTAMPS that is text but not a Slack timestamp, said; empty when none. (Another type is a
    shape problem: delivery_problem.)"""
    for path in TIMESTAMPS:
        value: Any = body
        for key in path:
            value = clean.mapping(value).get(key)
        if isinstance(value, str) and value and not TS_PATTERN.fullmatch(value):
            return f"{'.'.join(path)} is not a Slack timestamp ({clean.line(value, max_length=40)!r})."
    return ""


def depth(value: Any) -> int:
    """How deep `value` nests (a scalar 0, [] 1, [[]] 2), without recursion."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            level += 1
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:  # deeper is refused whatever else it holds
                stack.extend((child, level) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def delivery_kind(body: dict[str, Any]) -> str:
    """What the delivery is, as the handlers are registered (slackapp.handlers): "event:<type>",
    "shortcut:<callback_id>", "action:<action_id>", "view:<callback_id>", else its type; "?" for a part
    missing or of the wrong shape."""
    kind = _name(body.get("type"))
    if kind == "event_callback":
        return f"event:{_name(clean.mapping(body.get('event')).get('type'))}"
    if kind in ("shortcut", "message_action"):
        return f"shortcut:{_name(body.get('callback_id'))}"
    if kind == "block_actions":
        first = next(iter(clean.items(body.get("actions"))), None)
        return f"action:{_name(clean.mapping(first).get('action_id'))}"
    if kind == "view_submission":
        return f"view:{_name(clean.mapping(body.get('view')).get('callback_id'))}"
    return kind


def delivery_key(body: dict[str, Any]) -> str:
    """The delivery's key: Slack's `event_id` (a retry carries the same), else its `trigger_id`, else a digest
    of the body (the same body again is the same delivery)."""
    found = clean.ident(body.get("event_id")) or clean.ident(body.get("trigger_id"))
    if found:
        return found
    canonical = json.dumps(clean.raw(body), sort_keys=True, allow_nan=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _name(value: Any) -> str:
    return clean.line(value, max_length=70) or "?"


# --- the documented shape ---------------------------------------------------------------------------------


def delivery_problem(body: dict[str, Any]) -> str:
    """Empty when every field that Bolt routes by and the desk's handlers read has the shape Slack documents
    (api.slack.com/apis/events-api, api.slack.com/reference/interaction-payloads), else the first that has
    not, named by its path: 'actions: a list of objects (got null)'."""
    return next(iter(_problems(body)), "")


def _problems(body: dict[str, Any]) -> Iterator[str]:
    kind = body.get("type")
    interaction = kind not in EVENT_TYPES
    for name in ("enterprise", "team", "user", "channel"):
        # Bolt reads an id from each ("id" in value); the handlers read an interaction's as objects.
        yield from _id_like(body, name, name, objects_only=interaction)
    yield from _list_of_objects(body, "authorizations", "authorizations", null=True)
    yield from _list_of_objects(body, "response_urls", "response_urls", null=False)
    yield from _list_of_objects(body, "actions", "actions", null=False)
    # Present means of its type: Bolt tests `"event" in body` and then indexes it.
    for name, expected in (("callback_id", str), ("event", dict), ("view", dict)):
        if name in body:
            yield from _typed(body, name, name, expected, null=False)
    yield from _message(body, "message", "message")
    if kind == "event_callback":
        yield from _typed(body, "event", "event", dict, null=False)
        yield from _event(clean.mapping(body.get("event")))
    elif kind in ("block_actions", "interactive_message"):
        # Bolt takes the first action (slack_bolt.request.payload_utils.to_action).
        actions = body.get("actions")
        if not actions:
            yield _wrong("actions", "a list of at least one action", actions)
        elif kind == "block_actions":
            yield from _typed(actions[0], "action_id", "actions[0].action_id", str, null=False)
    elif kind in ("view_submission", "view_closed"):
        yield from _typed(body, "view", "view", dict, null=False)
        yield from _view(clean.mapping(body.get("view")))
        if clean.mapping(body.get("view")).get("type") == "workflow_step" and "workflow_step" not in body:
            yield _wrong("workflow_step", "an object", None)
    elif kind == "workflow_step_edit" and "workflow_step" not in body:
        yield _wrong("workflow_step", "an object", None)
    elif kind in ("shortcut", "message_action"):
        yield from _typed(body, "callback_id", "callback_id", str, null=False)
        if kind == "message_action":
            yield from _typed(body, "message", "message", dict, null=False)


def _event(event: dict[str, Any]) -> Iterator[str]:
    yield from _typed(event, "type", "event.type", str, null=False)
    for name in ("user", "channel", "team", "enterprise", "user_team"):
        yield from _id_like(event, name, f"event.{name}", objects_only=False)
    for name in ("subtype", "reaction", "text", "ts", "thread_ts"):
        yield from _typed(event, name, f"event.{name}", str, null=True)
    yield from _typed(event, "item", "event.item", dict, null=True)
    yield from _id_like(clean.mapping(event.get("item")), "channel", "event.item.channel", objects_only=False)
    if event.get("type") == "message":
        yield from _parts(event, "event")
    for name in ("message", "previous_message"):  # an edit or a deletion carries the message
        yield from _message(event, name, f"event.{name}")


def _message(parent: dict[str, Any], name: str, path: str) -> Iterator[str]:
    yield from _typed(parent, name, path, dict, null=True)
    yield from _parts(clean.mapping(parent.get(name)), path)


def _parts(message: dict[str, Any], path: str) -> Iterator[str]:
    problem = message_problem(message, path)
    if problem:
        yield problem


def _view(view: dict[str, Any]) -> Iterator[str]:
    yield from _typed(view, "type", "view.type", str, null=False)
    yield from _typed(view, "callback_id", "view.callback_id", str, null=False)
    yield from _typed(view, "private_metadata", "view.private_metadata", str, null=True)
    yield from _typed(view, "state", "view.state", dict, null=True)
    state = clean.mapping(view.get("state"))
    yield from _typed(state, "values", "view.state.values", dict, null=True)
    # {block_id: {action_id: {"type": …, "value": … or "selected_option": {…}}}}
    for block_id, block in clean.mapping(state.get("values")).items():
        path = f"view.state.values.{_key(block_id)}"
        if not isinstance(block, dict):
            yield _wrong(path, "an object", block)
            continue
        for action_id, element in block.items():
            yield from _typed(block, action_id, f"{path}.{_key(action_id)}", dict, null=False)
            yield from _typed(
                clean.mapping(element), "selected_option", f"{path}.{_key(action_id)}.selected_option", dict, null=True
            )


def _typed(parent: dict[str, Any], name: str, path: str, expected: type, *, null: bool) -> Iterator[str]:
    """A problem when `parent[name]` is not of the `expected` type (absent counts as null)."""
    value = parent.get(name)
    if (value is None and not null) or (value is not None and not isinstance(value, expected)):
        yield _wrong(path, "a string" if expected is str else "an object", value)


def _id_like(parent: dict[str, Any], name: str, path: str, *, objects_only: bool) -> Iterator[str]:
    value = parent.get(name)
    if value is None or isinstance(value, dict) or (isinstance(value, str) and not objects_only):
        return
    yield _wrong(path, "an object" if objects_only else "a string or an object", value)


def _list_of_objects(parent: dict[str, Any], name: str, path: str, *, null: bool) -> Iterator[str]:
    if name not in parent or (null and parent[name] is None):
        return
    value = parent[name]
    if not isinstance(value, list):
        yield _wrong(path, "a list of objects", value)
        return
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            yield _wrong(f"{path}[{index}]", "an object", item)
            return


def _wrong(path: str, expected: str, got: Any) -> str:
    return f"{path}: {expected} (got {'an empty list' if got == [] else type_name(got)})"


def _key(key: str) -> str:
    return clean.line(key, max_length=40) or "?"
