"""The outreach message as Block Kit: the question, then the expert's three answers as buttons. The action ids
are the contract with slackapp.outreach, which works the presses (slackapp sits above notifications)."""

from __future__ import annotations

from django.conf import settings

from channels.adapters.slack.client import slack_escape
from experts.models import Outreach

CLAIM = "outreach_claim"
ANSWERED = "outreach_answered"
DECLINE = "outreach_decline"
SECTION_MAX = 3000  # Slack's limit on a section's text


def outreach_buttons_wanted() -> bool:
    """Buttons only where Slack can reach the desk (its signing secret is set): a press the desk never receives
    would show the expert an error in Slack."""
    return bool(settings.SLACK_SIGNING_SECRET)


def _sections(outreach: Outreach) -> list[dict]:
    text = outreach.message
    parts = [text[i : i + SECTION_MAX] for i in range(0, len(text), SECTION_MAX)] or [""]
    return [{"type": "section", "text": {"type": "mrkdwn", "text": part}} for part in parts[:40]]


def outreach_blocks_closed(outreach: Outreach, said: str) -> list[dict]:
    """The message once the outreach is answered or passed on: the buttons give way to what happened."""
    return [*_sections(outreach), {"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(said)}]}]


def outreach_blocks(outreach: Outreach) -> list[dict]:
    """The message (already Slack mrkdwn, escaped by experts) in sections of Slack's size, and the buttons; each
    button's value is the outreach id."""
    return [*_sections(outreach), _actions(outreach)]


def outreach_nudge_blocks(outreach: Outreach, text: str) -> list[dict]:
    """The nudge in the outreach's thread (`text` already mrkdwn), with the same buttons as the question."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_MAX]}}, _actions(outreach)]


def _actions(outreach: Outreach) -> dict:
    value = str(outreach.pk)
    return {
        "type": "actions",
        "block_id": f"outreach_{outreach.pk}",
        "elements": [
            _button(CLAIM, "I'll answer", value, style="primary"),
            _button(ANSWERED, "Answered: link", value),
            _button(DECLINE, "Not me: suggest someone", value),
        ],
    }


def _button(action_id: str, label: str, value: str, style: str = "") -> dict:
    button = {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": label}, "value": value}
    if style:
        button["style"] = style
    return button
