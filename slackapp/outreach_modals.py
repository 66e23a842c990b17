"""The two outreach buttons that need the expert's input, answered in the request itself.

Slack's trigger_id (needed to open a modal) expires 3 seconds after the press, and only the answer to a
view_submission can show the expert an error in the modal: so these listeners run in Bolt's request, not in
the worker. They still store the delivery as every other listener does (slackapp.bolt), and the worker does
the work (slackapp.outreach) once the modal is submitted without errors."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from channels.adapters.slack.client import SlackError, SlackTransient, slack_views_open
from experts.models import Outreach
from experts.slack_outreach import outreach_answer_link_problem, outreach_reroute_problems, reroute_choices
from notifications.outreach_blocks import ANSWERED, DECLINE

if TYPE_CHECKING:  # Bolt itself is loaded only by the processes that answer Slack (slackapp.bolt), not at start
    from slack_bolt import App

logger = logging.getLogger("slackapp")

ANSWER_VIEW = "outreach_answer"
REROUTE_VIEW = "outreach_reroute"
# ASCII digits, as the desk writes ids: str.isdigit() is also true of "²" and of 5,000 nines, which int() refuses.
_PK = re.compile(r"[0-9]{1,18}")


def pk_read(value: Any) -> int | None:
    """A row id the desk put in a button's value or a modal's metadata, or None for anything else."""
    text = str(value or "")
    return int(text) if _PK.fullmatch(text) else None


def outreach_listeners(app: App) -> None:
    app.action(ANSWERED)(_open_modal)
    app.action(DECLINE)(_open_modal)
    app.view(ANSWER_VIEW)(_answer_submitted)
    app.view(REROUTE_VIEW)(_reroute_submitted)


def pressed_outreach_id(body: dict) -> int | None:
    return pk_read(((body.get("actions") or [{}])[0]).get("value"))


def submitted(body: dict) -> tuple[int | None, str, dict[str, Any]]:
    """(outreach id, Slack member id, {action_id: value}) of a view_submission."""
    view = body.get("view") or {}
    metadata = str(view.get("private_metadata") or "")
    values: dict[str, Any] = {}
    for block in ((view.get("state") or {}).get("values") or {}).values():
        for action_id, element in (block or {}).items():
            selected = element.get("selected_option") or {}
            values[action_id] = selected.get("value") if "selected_option" in element else element.get("value")
    user_id = str((body.get("user") or {}).get("id") or "")
    return pk_read(metadata), user_id, values


def _open_modal(ack: Any, body: dict, request: Any) -> None:
    from slackapp.bolt import interaction_store

    ack()
    interaction_store(body, request)
    outreach = Outreach.objects.select_related("expert").filter(pk=pressed_outreach_id(body) or 0).first()
    if outreach is None:
        return
    action = ((body.get("actions") or [{}])[0]).get("action_id")
    view = answer_modal(outreach) if action == ANSWERED else reroute_modal(outreach)
    try:
        slack_views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)
    except (SlackError, SlackTransient) as exc:  # the press is stored; the expert can press again
        logger.warning("slack: outreach %s: the modal could not be opened: %s", outreach.pk, exc)


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def _modal(callback_id: str, outreach: Outreach, title: str, blocks: list[dict], submit: str = "") -> dict:
    view = {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": str(outreach.pk),
        "title": _plain(title[:24]),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }
    if submit:
        view["submit"] = _plain(submit)
    return view


def answer_modal(outreach: Outreach) -> dict:
    link = {
        "type": "input",
        "block_id": "link",
        "label": _plain("Link to your answer"),
        "hint": _plain("Where the question was asked, so the advocate can close the ticket."),
        "element": {"type": "url_text_input", "action_id": "link"},
    }
    return _modal(ANSWER_VIEW, outreach, "Answered", [link], submit="Save")


def reroute_modal(outreach: Outreach) -> dict:
    choices = reroute_choices(outreach)
    if not choices:
        text = {"type": "mrkdwn", "text": "The desk knows no other expert to ask: tell the advocate in the thread."}
        return _modal(REROUTE_VIEW, outreach, "Not me", [{"type": "section", "text": text}])
    options = [{"text": _plain(name[:75]), "value": str(pk)} for pk, name in choices]
    expert = {
        "type": "input",
        "block_id": "expert",
        "label": _plain("Who could answer?"),
        "element": {"type": "static_select", "action_id": "expert", "options": options},
    }
    reason = {
        "type": "input",
        "block_id": "reason",
        "label": _plain("Why not you?"),
        "element": {"type": "plain_text_input", "action_id": "reason", "multiline": True, "max_length": 500},
    }
    return _modal(REROUTE_VIEW, outreach, "Not me", [expert, reason], submit="Ask them")


def _answer_submitted(ack: Any, body: dict, request: Any) -> None:
    from slackapp.bolt import interaction_store

    outreach_id, user_id, values = submitted(body)
    link = str(values.get("link") or "").strip()
    problem = outreach_answer_link_problem(outreach_id=outreach_id or 0, user_id=user_id, link=link)
    if problem:
        ack(response_action="errors", errors={"link": problem})
        return
    ack()
    interaction_store(body, request)


def _reroute_submitted(ack: Any, body: dict, request: Any) -> None:
    from slackapp.bolt import interaction_store

    outreach_id, user_id, values = submitted(body)
    problems = outreach_reroute_problems(
        outreach_id=outreach_id or 0,
        user_id=user_id,
        expert_id=pk_read(values.get("expert")),
        reason=str(values.get("reason") or ""),
    )
    if problems:
        ack(response_action="errors", errors=problems)
        return
    ack()
    interaction_store(body, request)
