"""A backlog larger than one poll drains over successive polls, each item once, the cursor moving only over what was
handed over. GitHub is faked at the network edge by a `responses` callback that answers the issue and comment lists
as the REST API does: ``since`` (updated at or after), ``sort=updated&direction=asc``, ``per_page`` and ``page``,
with ``Link: rel="next"`` (as recorded in `issues_page1.json`, SOURCES.md); the items are the recorded issue and
comment of `shapes.py`."""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import responses

from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket

from .shapes import COMMENTS_URL, ISSUES_URL, comment, github_channel, issue, limits

pytestmark = pytest.mark.django_db


START = (datetime.now(tz=UTC) - timedelta(hours=12)).replace(microsecond=0)


def at(minute: int) -> str:
    return (START + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z")


def serve(url: str, items: list[dict]) -> None:
    def answer(request):
        query = {k: v[-1] for k, v in parse_qs(urlsplit(request.url).query).items()}
        since, page, per_page = query.get("since", ""), int(query.get("page", 1)), int(query.get("per_page", 30))
        chosen = sorted((i for i in items if i["updated_at"] >= since), key=lambda i: (i["updated_at"], i["id"]))
        headers = limits()
        if page * per_page < len(chosen):
            headers["Link"] = f'<{url}?{urlencode({**query, "page": page + 1})}>; rel="next"'
        return 200, headers, json.dumps(chosen[(page - 1) * per_page : page * per_page])

    responses.add_callback(responses.GET, url, callback=answer)


@responses.activate
def test_a_backlog_of_issues_and_comments_drains_over_polls_each_once():
    config = {"repositories": ["octo-org/octo-repo"], "include_discussions": False, "max_requests_per_poll": 2}
    channel = github_channel(config=config, cursor={"repos": {"octo-org/octo-repo": {}}})
    issues = [issue(n, at=at(n)) for n in range(1, 251)]
    comments = [comment(10_000 + n, n, at=at(n + 1) if n % 2 else at(300 + n)) for n in range(1, 251, 5)]
    serve(ISSUES_URL, issues)
    serve(COMMENTS_URL, comments)

    first = poll(channel)
    assert ingested(first).created == 200 and channel.platform_status["backlog"] is True
    state = channel.cursor["repos"]["octo-org/octo-repo"]
    assert state["issues"]["mark"] == at(200) and state["comments"]["mark"] is None  # the comments wait for the issues

    rounds = 1
    while channel.platform_status.get("backlog") and rounds < 10:
        poll(channel)
        rounds += 1

    assert rounds == 2  # 200 issues; then the last 50 and the 50 comments (one page)
    assert len(stored(channel)) == 250 + 50 and Ticket.objects.filter(channel=channel).count() == 250
    by_id = {m.external_id: m for m in Message.objects.filter(channel=channel)}
    assert by_id["IC_kwTEST10006"].ticket_id == by_id["I_kwTEST6"].ticket_id
    assert ingested(poll(channel)).created == 0  # drained: the next poll finds nothing new
