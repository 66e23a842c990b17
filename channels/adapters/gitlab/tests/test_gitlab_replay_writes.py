"""The demo gitlab.com's answers to what our connected account sends from the desk (DESK_DEMO_REPLAY on): notes
and their images go through the desk's services and the real GitLab adapter and are answered by
channels/adapters/gitlab/replay_writes.py, which follows docs.gitlab.com ("Notes API", "Create new issue note";
"Project markdown uploads", "Upload a file") and the documented example responses in fixtures/
(notes_list_docs.json; SOURCES.md); refusals are GitLab's own bodies. An issue filed from the desk:
stories/tests/test_demo_issue_filing.py."""

from datetime import UTC, datetime

import pytest
import requests
import time_machine

from channels.adapters.gitlab.replay import IID_BASE, NOTE_ID_BASE, PROJECT_ID, answer
from channels.demo.accounts import demo_accounts_ensure
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import demo_posts
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll
from mentions.models import Message, Ticket
from mentions.services.replies import ticket_send_reply
from mentions.tests.factories import AdvocateFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "gitlab"
ANCHOR = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
OURS = DEMO_CHANNELS[KIND]["our_accounts"][0]
TOKEN = DEMO_CHANNELS[KIND]["account_tokens"]["access_token"]


def _desk():
    channel = demo.channel(KIND, ANCHOR)
    poll(channel)
    demo_accounts_ensure()
    return channel, Ticket.objects.filter(channel=channel).order_by("id").first(), AdvocateFactory()


@time_machine.travel(ANCHOR, tick=False)
def test_a_note_sent_from_the_desk_is_ours_on_the_issue_and_the_next_poll_serves_nothing_new():
    channel, ticket, advocate = _desk()
    reply = ticket_send_reply(ticket=ticket, user=advocate, body="@someone thanks for the report: we are on it.")
    project, _, note_id = (reply.external_id or "").partition("/notes/")
    assert reply.kind == Message.Kind.OUR_REPLY and project == str(PROJECT_ID)
    assert int(note_id) > NOTE_ID_BASE + 1000 * 1000  # above every note of the week: no later poll takes it
    issue = ticket.messages.order_by("id").first()
    assert reply.permalink == f"{issue.permalink}#note_{note_id}"
    assert ingested(poll(channel)).created == 0  # kept nowhere


def _sent(path: str, token: str = TOKEN, **kwargs) -> requests.PreparedRequest:
    url = f"https://gitlab.com/api/v4/projects/{path}"
    return requests.Request("POST", url, headers={"PRIVATE-TOKEN": token}, **kwargs).prepare()


def test_a_note_on_any_issue_of_the_project_is_taken_and_refusals_are_gitlabs():
    posts = demo_posts(KIND, now=ANCHOR)
    status, note, *_ = answer(_sent(f"{PROJECT_ID}/issues/12/notes", json={"body": "An older issue."}), posts)
    assert status == 201 and note["noteable_iid"] == 12 and note["author"]["username"] == OURS
    assert note["body"] == "An older issue." and note["system"] is False
    notes = f"{PROJECT_ID}/issues/{IID_BASE}/notes"
    assert answer(_sent(notes, "wrong", json={"body": "x"}), posts) == (401, {"message": "401 Unauthorized"})
    assert answer(_sent(notes, json={}), posts) == (400, {"error": "body is missing"})
    assert answer(_sent("someone%2Felse/issues/1/notes", json={"body": "x"}), posts) == (
        404,
        {"message": "404 Project Not Found"},
    )

    status, upload, *_ = answer(_sent(f"{PROJECT_ID}/uploads", files={"file": ("my shot (1).png", b"\x89PNG")}), posts)
    assert status == 201 and upload["url"].endswith("/my_shot_1_.png") and upload["alt"] == "my_shot_1_"
    assert upload["full_path"] == f"/-/project/{PROJECT_ID}{upload['url']}"
    assert answer(_sent(f"{PROJECT_ID}/uploads"), posts) == (400, {"error": "file is invalid"})
    assert answer(_sent(f"{PROJECT_ID}/issues", json={"description": "x"}), posts) == (
        400,
        {"error": "title is missing"},
    )
