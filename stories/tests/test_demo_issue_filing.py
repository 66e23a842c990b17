"""An issue filed from the desk on the demo (DESK_DEMO_REPLAY on): the story's Issue panel files it through the
demo account's GitLab adapter, answered by channels/adapters/gitlab/replay_writes.py in the shape of docs.gitlab.com
("Issues API", "New issue"; the documented example response channels/adapters/gitlab/tests/fixtures/
issue_new_docs.json, SOURCES.md). Here, not beside the replay's other tests, because channels never imports stories
(the import contract)."""

from datetime import UTC, datetime

import pytest
import time_machine

from channels.adapters.gitlab.replay_writes import MADE_IID
from channels.demo.accounts import demo_accounts_ensure
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import poll
from mentions.models import Ticket
from mentions.tests.factories import AdvocateFactory
from stories.issues.linking import issue_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

ANCHOR = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)


@time_machine.travel(ANCHOR, tick=False)
def test_an_issue_filed_from_the_desk_is_answered_with_its_number_and_address():
    channel = demo.channel("gitlab", ANCHOR)
    poll(channel)
    demo_accounts_ensure()
    ticket = Ticket.objects.filter(channel=channel).order_by("id").first()
    assert ticket is not None  # the poll stored the week's issues
    link = issue_file(
        tickets=[ticket], user=AdvocateFactory(), where=f"{channel.pk}:gitlab-org/gitlab", title="Runner hangs"
    )
    assert link.number >= MADE_IID
    assert link.url == f"https://gitlab.com/gitlab-org/gitlab/-/issues/{link.number}"
