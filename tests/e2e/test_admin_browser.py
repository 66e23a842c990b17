"""Admin pages in a real browser at 1366x768, a common laptop screen: the change lists fit without a horizontal
scrollbar even with long, realistic values, and the channel form shows one kind's fields (screenshots)."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect, sync_playwright

from channels.models import Channel, DeadLetter
from channels.tests.factories import ChannelFactory
from experts.tests.factories import ExpertFactory, ExpertIdentityFactory, ProductAreaFactory
from mentions.models import Macro, MacroAction, Rule, Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, ViewFactory
from notifications.models import SlackNotice
from tests.e2e.login import sign_in
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH = 1366
LONG_ERROR = (
    "HTTPSConnectionPool(host='forum.example-community-with-a-long-name.org', port=443): Max retries exceeded "
    "with url: /posts.json?before=123456789 (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection "
    "object at 0x7f3a2b1c4d90>: Failed to establish a new connection: [Errno -3] Temporary failure in name "
    "resolution'))"
)
LONG_SUBJECT = (
    "Pipeline cache for node_modules is never restored on self-hosted runners after upgrading to 17.5 "
    "(cache:key:files with package-lock.json, Kubernetes executor, S3 distributed cache behind a proxy)"
)
# The widest thing on the page: the document itself, and the results box, which Django's admin lets scroll
# sideways on its own (a scrollbar under the table the document width does not show).
OVERFLOW_JS = """
() => {
  const results = document.querySelector('#changelist .results');
  const box = results ? results.scrollWidth - results.clientWidth : 0;
  return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) + Math.max(box, 0);
}
"""
CHANGE_LISTS = [
    "channels/channel",
    "mentions/ticket",
    "mentions/ticketevent",
    "notifications/slacknotice",
    "experts/expert",
    "channels/deadletter",
    "mentions/view",
    "mentions/macro",
    "mentions/rule",
]


def _long_data() -> None:
    """A few rows of each list with values as long as real ones get."""
    now = datetime.now(tz=UTC)
    advocate = AdvocateFactory(username="alexandra.konstantinopoulou", first_name="Alexandra")
    channels = [
        ChannelFactory(
            name=f"Hacker News: GitLab, GitLab CI, self-managed runners and the registry ({n})",
            slug=f"hn-long-{n}",
            config={"keywords": ["gitlab"]},
            health=Channel.Health.FAILING,
            last_error=LONG_ERROR,
            last_success_at=now - timedelta(hours=3),
            next_poll_at=now + timedelta(minutes=5),
        )
        for n in range(3)
    ]
    twitter = ChannelFactory(
        kind="twitter",
        name="X: @GitLab, @GitLabStatus and the CI search queries",
        slug="x-long",
        config={
            "handles": [{"username": "GitLab", "user_id": "2244994945", "role": "main"}],
            "monthly_read_budget": 10000,
        },
    )
    Channel.objects.filter(pk=twitter.pk).update(usage={"month": now.strftime("%Y-%m"), "reads": 123456, "polls": 9})
    for n in range(4):
        ticket = TicketFactory(
            channel=channels[n % 3],
            subject=f"{LONG_SUBJECT} #{n}",
            requester_handle="a-requester-with-a-very-long-handle-indeed",
            assignee=advocate,
            first_reply_at=now,
        )
        MessageFactory(ticket=ticket, body=LONG_SUBJECT * 3)
        TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.CREATED, actor=advocate)
        SlackNotice.objects.create(
            destination="#community-advocates-after-hours-urgent",
            ticket=ticket,
            kind=SlackNotice.Kind.NEW_TICKET,
            text=LONG_SUBJECT,
            status=SlackNotice.Status.FAILED,
            attempts=5,
            last_error="channel_not_found: the bot is not a member of #community-advocates-after-hours-urgent, "
            "invite it with /invite @triage-desk and send again",
        )
        DeadLetter.objects.create(
            channel=channels[n % 3],
            stage=DeadLetter.Stage.PARSE,
            external_id=f"t3_{'x' * 60}{n}",
            fingerprint=hashlib.sha256(str(n).encode()).hexdigest(),
            error=LONG_ERROR,
            payload="{}",
        )
    areas = [ProductAreaFactory(name=f"Verify: CI pipelines, runners and caching {n}") for n in range(5)]
    for n in range(3):
        expert = ExpertFactory(
            name=f"Maximilian Alexander von Hohenzollern-Sigmaringen {n}",
            slack_handle=f"@maximilian.hohenzollern.sigmaringen{n}",
        )
        expert.areas.set(areas)
        ExpertIdentityFactory(expert=expert)
    for n in range(3):
        view = ViewFactory(name=f"Self-managed customers on the high-priority channels, oldest first {n}")
        view.channels.set(channels)
        macro = Macro.objects.create(
            name=f"Ask for the runner version, executor and the full job log (redacted) {n}",
            description=LONG_SUBJECT,
        )
        MacroAction.objects.create(macro=macro, kind=MacroAction.Kind.ADD_TAGS, value="needs-info runner")
        Rule.objects.create(
            name=f"Security reports go to the security team and never get an automatic reply {n}",
            description=LONG_SUBJECT,
            text_keywords="vulnerability\nCVE\nsecurity issue\nexploit\nXSS\nRCE\nSSRF",
            add_tags="security needs-triage escalated vulnerability-report",
            set_priority=Ticket.Priority.URGENT,
            notify_slack="#security-incident-response-team",
            macro=macro,
        )


def test_change_lists_fit_a_1366_px_screen_and_the_channel_form_shows_one_kind(live_server):
    get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    _long_data()
    forum = ChannelFactory(
        kind="discourse",
        name="GitLab forum",
        slug="forum",
        config={"base_url": "https://forum.gitlab.com", "mode": "search", "query": "gitlab runner"},
    )
    ARTIFACTS.mkdir(exist_ok=True)
    widths: dict[str, int] = {}

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": 768})
        sign_in(page, f"{live_server.url}/admin/login/?next=/admin/", "root")
        expect(page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))).to_be_visible()

        for name in CHANGE_LISTS:
            page.goto(f"{live_server.url}/admin/{name}/")
            expect(page.locator("#result_list tbody tr").first).to_be_visible()
            widths[name] = page.evaluate(OVERFLOW_JS)
            page.screenshot(path=str(ARTIFACTS / f"e2e-admin-list-{name.replace('/', '-')}.png"))

        # With the navigation sidebar opened (the admin's choice, remembered) the lists still fit.
        page.evaluate("localStorage.setItem('django.admin.navSidebarIsOpen', 'true')")
        for name in CHANGE_LISTS:
            page.goto(f"{live_server.url}/admin/{name}/")
            expect(page.locator("#nav-sidebar")).to_be_visible()
            widths[f"{name} (sidebar open)"] = page.evaluate(OVERFLOW_JS)
        page.screenshot(path=str(ARTIFACTS / "e2e-admin-list-sidebar-open.png"))
        page.evaluate("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")

        # A long value cut short keeps the whole text in its title.
        page.goto(f"{live_server.url}/admin/channels/channel/")
        cut = page.locator("#result_list td.field-short_error span[title]").first
        expect(cut).to_have_attribute("title", LONG_ERROR)

        # Settings pages before anything is saved: the defaults in effect, not "0 items".
        for name, shows in [
            ("coverageschedule", "Nothing saved yet"),
            ("dutysettings", "Nothing saved yet"),
            ("target", "default (nothing saved)"),
        ]:
            page.goto(f"{live_server.url}/admin/mentions/{name}/")
            expect(page.get_by_text(shows).first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / f"e2e-admin-settings-{name}.png"), full_page=True)

        # Adding: the kind first, then only that kind's fields.
        page.goto(f"{live_server.url}/admin/channels/channel/add/")
        page.screenshot(path=str(ARTIFACTS / "e2e-admin-channel-kinds.png"), full_page=True)
        page.get_by_role("link", name="Hacker News").click()
        expect(page.get_by_label("Keywords")).to_be_visible()
        expect(page.get_by_label("Forum address")).to_have_count(0)
        page.get_by_label("Name:").fill("Hacker News: GitLab")
        page.get_by_label("Keywords").fill("gitlab\ngitlab ci")
        page.screenshot(path=str(ARTIFACTS / "e2e-admin-channel-hackernews.png"), full_page=True)
        page.get_by_label("Overlap (seconds)").fill("-5")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".errorlist").first).to_contain_text(
            "“Overlap (seconds)” must be a whole number from 0 to 86400"
        )
        page.screenshot(path=str(ARTIFACTS / "e2e-admin-channel-hackernews-error.png"), full_page=True)

        page.goto(f"{live_server.url}/admin/channels/channel/{forum.pk}/change/")
        expect(page.get_by_label("Forum address")).to_have_value("https://forum.gitlab.com")
        expect(page.get_by_label("Keywords")).to_have_count(0)
        page.get_by_label("API key").fill("a-secret-api-key")
        page.screenshot(path=str(ARTIFACTS / "e2e-admin-channel-discourse.png"), full_page=True)
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.get_by_text("api_key: set")).to_be_visible()
        expect(page.get_by_label("API key")).to_have_value("")
        # How often it polls: automatic, and an interval shorter than allowed is raised, with a warning.
        expect(page.get_by_text("Automatic: every 20 s")).to_be_visible()
        page.get_by_label("Poll interval (seconds)").fill("5")
        page.get_by_role("button", name="Save and continue editing").click()
        warning = "Every 20 s, not the 5 s set here: no channel polls more often than every 20 s."
        expect(page.locator(".messagelist .warning")).to_have_text(warning)
        page.screenshot(path=str(ARTIFACTS / "e2e-admin-channel-polls.png"), full_page=True)
        browser.close()

    assert {name: w for name, w in widths.items() if w > WIDTH} == {}, widths
    forum.refresh_from_db()
    assert forum.credentials == {"api_key": "a-secret-api-key"}
