"""The demo's Reddit private messages (issue 69): a message our account composes is remembered (channels.demo.kept)
and answered by its recipient at the desk's next read, so a newcomer sees a DM come back on the ticket.

``POST /api/compose`` (``to``, ``subject``, ``text``) names no message (replay_writes); ``GET /message/messages``
(reddit.com/dev/api#GET_message_{where}) is the account's conversations, newest first, as a Listing of ``t4`` things,
each first message with the conversation's later ones in its ``replies`` Listing. A t4 has the fields the public
reddit4j test data names (``name``, ``author``, ``dest``, ``subject``, ``body``, ``body_html``, ``created_utc``,
``first_message``, ``first_message_name``, ``parent_id``, ``was_comment``, ...); an answer's subject is "re: " and
ours. One page: the demo's conversations are few.

Our message's id is base 36 of ``MADE_BASE`` plus its millisecond time; an answer's the same of its own time, which
is a second at least after ours.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from channels.demo import kept
from channels.demo.replay_kit import base36, fixed

from .replay import html_of

KIND = "reddit"
MADE_BASE = 36**8  # the messages' ids: above every id of the week's things


def listing(children: list[dict[str, Any]]) -> dict[str, Any]:
    """A Listing of `children`, all on one page."""
    return {"kind": "Listing", "data": {"after": None, "before": None, "dist": len(children), "children": children}}


def composed(form: dict[str, str], ours: str, now: datetime) -> None:
    """Remember our message, to be answered by its recipient (`form`: what was composed)."""
    number = MADE_BASE + int(now.timestamp() * 1000)
    kept.dm_sent(KIND, conversation=form["to"].casefold(), sent_id=base36(number), at=now, to=form["to"], ours=ours,
                 subject=form["subject"], text=form["text"])  # fmt: skip


def messages(escape: bool, now: datetime) -> dict[str, Any]:
    """The account's conversations by `now`, newest first (`escape`: HTML escaped again, without ``raw_json=1``)."""
    children = []
    for dm in reversed(kept.dms_read(KIND, now=now)):
        ours = _thing(dm.sent_id, dm.data["ours"], dm.data["to"], dm.data["subject"], dm.data["text"], dm.sent_at)
        ours["body_html"] = html_of(dm.data["text"], escape)
        if dm.answered_at is not None:
            answer_id = base36(MADE_BASE + int(dm.answered_at.timestamp() * 1000))
            theirs = _thing(answer_id, dm.data["to"], dm.data["ours"], f"re: {dm.data['subject']}", dm.answer,
                            dm.answered_at)  # fmt: skip
            parent = f"t4_{dm.sent_id}"
            theirs.update(first_message=int(dm.sent_id, 36), first_message_name=parent, parent_id=parent,
                          body_html=html_of(dm.answer, escape))  # fmt: skip
            ours["replies"] = listing([{"kind": "t4", "data": theirs}])
        children.append({"kind": "t4", "data": ours})
    return listing(children)


def _thing(message_id: str, author: str, dest: str, subject: str, body: str, at: datetime) -> dict[str, Any]:
    created = float(int(at.astimezone(UTC).timestamp()))
    return {
        **fixed("first_message first_message_name subreddit likes author_fullname num_comments parent_id"),
        **fixed("subreddit_name_prefixed distinguished associated_awarding_id"),
        "replies": "",
        "id": message_id,
        "subject": subject,
        "score": 0,
        "author": author,
        "new": False,
        "type": "unknown",
        "body": body,
        "dest": dest,
        "was_comment": False,
        "body_html": "",
        "name": f"t4_{message_id}",
        "created": created,
        "created_utc": created,
        "context": "",
    }
