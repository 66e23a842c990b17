"""What goes into a filed issue and into a follow-up, in words.

The mention is someone else's text, pasted into a Markdown page that pings whoever it names: it is quoted as a
blockquote with every ``@`` followed by a zero-width joiner (``@\u200dname`` reads the same and links nobody, on
GitLab and GitHub alike), ``<``, ``>`` and ``&`` written as entities (no HTML gets through, and a quoted line can
never close the quote), control characters dropped. Each line starts with ``> ``, so a line of the mention that
begins with a slash is not taken for one of GitLab's quick actions (they are read only at the start of a line).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from channels.adapters.registry import platform_or_default
from mentions.models import Ticket

ZWJ = "\u200d"
QUOTE_MAX = 1500  # characters of one mention quoted
QUOTED_MOST = 3  # mentions quoted in a story's issue; the rest are listed by their links
LISTED_MOST = 30
TITLE_MAX = 255  # GitLab's and GitHub's titles are 255 characters at most
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def neutral(text: str) -> str:
    """Untrusted text made inert for a Markdown issue: no HTML, no @-mention, no control character."""
    text = _CONTROL.sub("", text or "")
    return html.escape(text, quote=False).replace("@", "@" + ZWJ)


def blockquote(text: str) -> str:
    text = neutral(text.strip())
    if len(text) > QUOTE_MAX:
        text = text[:QUOTE_MAX].rstrip() + "…"
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines() or [""])


def _source(ticket: Ticket, link: str) -> str:
    platform = platform_or_default(ticket.channel.kind)
    who = platform.handle_shown(ticket.requester_handle) if ticket.requester_handle else "someone"
    where = f" ({link})" if link.startswith(("https://", "http://")) and " " not in link else ""
    return f"{neutral(who)} on {platform.spoken_name}{where}"


def issue_title(tickets: Sequence[Ticket], title: str = "") -> str:
    chosen = " ".join((title or tickets[0].subject or "Reported by the community").split())
    return _CONTROL.sub("", chosen)[:TITLE_MAX]


def issue_body(
    tickets: Sequence[Ticket],
    *,
    said: dict[int, tuple[str, str]],
    expert: str = "",
    note: str = "",
    advocate: str = "",
) -> str:
    """The issue's description: what was said (quoted), where (the platform links), who knows (the expert).
    `said`: each ticket's first mention, (its text, its link on the platform)."""
    count = len(tickets)
    parts = [
        f"Reported by {count} {'person' if count == 1 else 'people'} in the community, "
        f"filed from the community desk{f' by {neutral(advocate)}' if advocate else ''}."
    ]
    if note.strip():
        parts.append(neutral(note.strip()))
    for ticket in tickets[:QUOTED_MOST]:
        text, link = said.get(ticket.pk, (ticket.subject, ""))
        parts.append(f"{blockquote(text or ticket.subject)}\n\n— {_source(ticket, link)}")
    rest = tickets[QUOTED_MOST:LISTED_MOST]
    if rest:
        parts.append("Also reported by:\n" + "\n".join(f"- {_source(t, said.get(t.pk, ('', ''))[1])}" for t in rest))
    if count > LISTED_MOST:
        parts.append(f"…and {count - LISTED_MOST} more.")
    if expert.strip():
        parts.append(f"Expert: {neutral(expert.strip())}")
    return "\n\n".join(parts)


def followup_answer(*, event: str, milestone: str) -> str:
    """The follow-up's words with the saved replies' {link} (the issue), as stories.answering.drafts fits them per
    ticket."""
    if event == "closed":
        where = f" in {milestone}" if milestone else ""
        return f"Fixed{where}: {{link}}. Thanks for reporting it!"
    return f"A fix is planned for {milestone}: {{link}}. Thanks for reporting it!"
