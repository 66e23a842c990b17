"""The desk's plain-text issue body as Atlassian Document Format (developer.atlassian.com, "Atlassian Document
Format": a ``doc`` of ``paragraph`` and ``blockquote`` nodes whose ``text`` nodes are taken as text, never
as markup).

The body is written for Markdown trackers, its quoted words HTML-escaped (stories.issues.text): ADF shows text as
text, so the escaping is undone rather than shown as "&lt;". Blocks are separated by a blank line; a block whose
lines all start with ">" is a quote (the mentions the body quotes), each line of a block a ``hardBreak`` apart. Text
nodes may not be empty, and control characters (which Jira refuses) are dropped: the untrusted words of a mention
stay words.
"""

from __future__ import annotations

import html
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _paragraph(lines: list[str]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for line in lines:
        if content:
            content.append({"type": "hardBreak"})
        if line:
            content.append({"type": "text", "text": line})
    return {"type": "paragraph", "content": content}


def adf_of(text: str) -> dict[str, Any]:
    """`text` as an ADF document."""
    blocks = re.split(r"\n\s*\n", _CONTROL.sub("", html.unescape(text or "").replace("\r\n", "\n")).strip())
    content: list[dict[str, Any]] = []
    for block in blocks:
        lines = [line.rstrip() for line in block.split("\n")]
        if not any(lines):
            continue
        if all(line.startswith(">") for line in lines):
            quoted = [line[1:].removeprefix(" ") for line in lines]
            content.append({"type": "blockquote", "content": [_paragraph(quoted)]})
        else:
            content.append(_paragraph(lines))
    return {"type": "doc", "version": 1, "content": content}
