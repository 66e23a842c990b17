"""Saved replies: their placeholders filled for a ticket, and their length as each platform counts it.

Placeholders are `{requester}`, `{handle}` and `{link}`; any other `{...}` is refused when the reply is saved
(a typo would otherwise reach the requester). Values come from the internet (a name, a handle): they are put
in as text; the reply is plain text, escaped where it is shown.

`{requester}` is the name the platform gave, or the handle. Where that is an e-mail address (a From without a
display name), it is the name the team keeps for the requester's person instead, when that is a name: nobody
is greeted "Hi maintainer@example.net" when we know them as Priya. An address is no handle to mention either,
so `{handle}` ("Hi {handle}", written for X and the forums) is the same greeting there. A name the platform
gave is never replaced: a pseudonym on a public platform is how the requester chose to be addressed there,
and greeting them in public by the name we keep would out them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from channels.adapters.registry import platform_or_default, platforms
from people.selectors import requester_person_name

if TYPE_CHECKING:
    from mentions.models import Ticket

PLACEHOLDERS = ("requester", "handle", "link")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def placeholders_check(body: str) -> None:
    unknown = sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        raise ValidationError(
            {"body": f"Unknown placeholder {', '.join('{' + u + '}' for u in unknown)}: use {known}."}
        )


def _is_address(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def placeholder_values(*, ticket: Ticket, link: str = "") -> dict[str, str]:
    """What each placeholder stands for on `ticket`: worked out once for any number of replies (one query, only
    when the platform gave an address for a name)."""
    handle = platform_or_default(ticket.channel.kind).handle_shown((ticket.requester_handle or "").strip().lstrip("@"))
    requester = (ticket.requester_name or "").strip() or handle
    if requester and _is_address(requester) and ticket.pk:
        kept = requester_person_name(ticket.pk).strip()
        if kept and not _is_address(kept):
            requester = kept
    if handle and _is_address(handle):
        handle = requester  # an address is no handle to mention: "Hi {handle}" greets them as {requester} does
    return {"requester": requester or "there", "handle": handle, "link": link}


def placeholders_fill(body: str, values: dict[str, str]) -> str:
    """`body` with its placeholders replaced by `values` (in one pass: a value holding "{link}" stays text)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def saved_reply_fill(body: str, *, ticket: Ticket, link: str = "") -> str:
    """`body` with its placeholders filled for `ticket`."""
    return placeholders_fill(body, placeholder_values(ticket=ticket, link=link))


@dataclass(frozen=True)
class PlatformLength:
    platform: str  # its label
    length: int
    limit: int

    @property
    def over(self) -> bool:
        return self.length > self.limit


def saved_reply_lengths(body: str) -> list[PlatformLength]:
    """How long `body` is on each platform that limits a reply, as that platform counts it (X: a link is 23),
    with its placeholders as they stand: the admin sees where it will not fit before anyone inserts it."""
    found = []
    for platform in platforms():
        rule = platform.reply_rule
        if rule.limit:
            found.append(PlatformLength(platform=str(platform.label), length=rule.length(body), limit=rule.limit))
    return sorted(found, key=lambda p: p.limit)
