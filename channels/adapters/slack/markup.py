"""Slack's message markup as plain text (api.slack.com/reference/surfaces/formatting, "Retrieving messages").

Slack sends a message's text with three characters escaped (`&amp;`, `&lt;`, `&gt;`) and its links and mentions
in angle brackets: `<@U123>` or `<@U123|dana>` (a person), `<#C123|general>` (a channel), `<!here>` and
`<!subteam^S123|@team>` (special mentions), `<!date^…|fallback>` (a date), `<https://…|label>` or `<https://…>`
(a link). The desk stores plain text and escapes it wherever it shows it, so the brackets are turned into what a
reader of Slack sees, every URL is kept visible (an advocate sees where a link goes before following it), and the
entities are turned back into the characters the author typed: a `<script>` someone wrote stays text.
"""

from __future__ import annotations

import re

from channels.text import is_safe_url

_TAG = re.compile(r"<([^<>\n]*)>")
_BROADCASTS = {"here", "channel", "everyone"}


def slack_unescape(text: str) -> str:
    # "&amp;" last: "&amp;lt;" is a literal "&lt;" the author typed, not a "<".
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _tag(inner: str) -> str:
    target, _, label = inner.partition("|")
    label = slack_unescape(label).strip()
    if target.startswith("@"):  # a person: their display name when Slack gave it
        return "@" + (label.lstrip("@") or target[1:])
    if target.startswith("#"):
        return "#" + (label.lstrip("#") or target[1:])
    if target.startswith("!"):
        name = target[1:].split("^", 1)[0]
        if name in _BROADCASTS:
            return "@" + name
        return label or "@" + name  # a user group's "@team", a date's fallback
    url = slack_unescape(target)
    if not is_safe_url(url):  # a scheme the desk never links to: the words only
        return label or url
    if not label or label == url or url.endswith("://" + label) or url == "mailto:" + label:
        return url
    return f"{label} ({url})"


def slack_text(text: str) -> str:
    """A Slack message's `text` as the plain text a reader sees, with every link's URL kept."""
    parts: list[str] = []
    at = 0
    for match in _TAG.finditer(text or ""):
        parts.append(slack_unescape(text[at : match.start()]))
        parts.append(_tag(match.group(1)))
        at = match.end()
    parts.append(slack_unescape((text or "")[at:]))
    return "".join(parts).strip()
