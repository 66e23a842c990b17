"""A watched Stack Exchange question: its answers, then the comments on it and on them (ids vectorised)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..watch import ThreadFetch
from .client import ANSWERS, COMMENTS, Client, app_key
from .config import site_domain, validate_config
from .parse import parse_page

if TYPE_CHECKING:
    from channels.models import Channel


def thread_ref(external_id: str, thread_id: str, raw: dict[str, Any]) -> str:
    question = thread_id if thread_id.startswith("q") else external_id
    return question[1:] if question.startswith("q") and question[1:].isdigit() else ""


def fetch_thread(*, channel: Channel, session: requests.Session, ref: str) -> ThreadFetch:
    config = validate_config(channel.config)
    client = Client(session, site=config["site"], key=app_key(channel), budget=2, backoff={})
    body = {"filter": "withbody", "pagesize": 100, "sort": "creation", "order": "desc"}
    answers = client.get(ANSWERS, ANSWERS.format(ids=int(ref)), body)
    answered = [a["answer_id"] for a in clean.objects(answers.get("items")) if isinstance(a.get("answer_id"), int)]
    ids = [str(int(ref)), *map(str, answered)]
    comments = client.get(COMMENTS, COMMENTS.format(ids=";".join(ids[:100])), body)
    parsed = parse_page([answers, comments], domain=site_domain(config["site"]))
    return ThreadFetch(mentions=parsed.mentions, requests_made=client.made)
