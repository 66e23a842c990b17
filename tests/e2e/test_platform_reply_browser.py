"""Replying on Stack Exchange from the ticket page in Chromium: the advocate picks comment or answer,
Stack Exchange's refusal of a comment (reputation) is shown in words with the draft kept, and the same
text sent as an answer is posted. The API is faked at the HTTP boundary with `responses` in the shapes
of api.stackexchange.com/docs/create-comment and /docs/create-answer (the live server runs in this
process, so its requests reach the fake)."""

import time
from urllib.parse import parse_qs

import pytest
import responses
from playwright.sync_api import expect, sync_playwright

from channels.adapters.stackexchange.client import API_ROOT
from channels.adapters.stackexchange.parse import parse_page
from channels.adapters.stackexchange.tests.test_stackexchange_adapter import answer, owner, question, wrapper
from channels.models import Account
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket
from mentions.tests.factories import AdvocateFactory
from tests.e2e.login import sign_in
from tests.e2e.signed_in import send_panel
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMENT_ADD = f"{API_ROOT}/posts/7001/comments/add"
ANSWER_ADD = f"{API_ROOT}/questions/7001/answers/add"
TEXT = "Log in to the registry in before_script with $CI_REGISTRY_PASSWORD; the docs show the whole job."


def test_an_advocate_answers_a_question_after_stack_exchange_refuses_the_comment(live_server):
    AdvocateFactory(username="ada")
    channel = ChannelFactory(
        kind="stackexchange", name="Stack Overflow", slug="so", config={"site": "stackoverflow", "tags": ["gitlab"]}
    )
    channel.credentials = {"key": "app-key"}
    channel.save()
    account = Account(channel=channel, username="GitLab Team", status=Account.Status.CONNECTED)
    account.tokens = {"access_token": "se-token"}
    account.save()
    now = int(time.time())
    asked = question(7001, now - 3600, title="Runner cannot pull from the registry <script>x</script>")
    mentions_ingest(channel=channel, mentions=parse_page(wrapper([asked]), domain="stackoverflow.com").mentions)
    ticket = Ticket.objects.get()

    with responses.RequestsMock(assert_all_requests_are_fired=False) as fake:
        fake.add_passthru("http://localhost")
        fake.add_passthru("http://127.0.0.1")
        refused = {"error_id": 407, "error_name": "write_failed", "error_message": "You need 50 reputation to comment"}
        fake.post(COMMENT_ADD, status=400, json=refused)
        fake.post(
            ANSWER_ADD,
            json=wrapper([answer(80001, 7001, now, body=f"<p>{TEXT}</p>", owner=owner(4242, "GitLab Team"))]),
        )
        with sync_playwright() as pw:
            browser, page, panel = send_panel(pw, live_server.url, ticket.pk, "ada")
            expect(panel.get_by_test_id("chosen-handle")).to_have_text("GitLab Team")
            panel.locator("textarea").fill(TEXT)
            panel.get_by_label("Post as").select_option(label="Comment")
            panel.get_by_role("button", name="Send reply").click()
            said = "Stack Exchange refused the reply: You need 50 reputation to comment."
            expect(page.get_by_test_id("send-panel").get_by_text(said)).to_be_visible()
            expect(page.get_by_test_id("send-panel").locator("textarea")).to_have_value(TEXT)
            page.screenshot(path=str(ARTIFACTS / "e2e-se-reply-refused.png"), full_page=True)
            panel = page.get_by_test_id("send-panel")
            panel.get_by_label("Post as").select_option(label="Answer")
            panel.get_by_role("button", name="Send reply").click()
            expect(page.get_by_text("Reply sent as GitLab Team")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "e2e-se-reply-sent.png"), full_page=True)
            browser.close()
        sent = [c for c in fake.calls if c.request.url in (COMMENT_ADD, ANSWER_ADD)]

    assert [c.request.url for c in sent] == [COMMENT_ADD, ANSWER_ADD]
    body = sent[1].request.body
    assert isinstance(body, str)  # form-encoded by requests
    assert parse_qs(body)["body"] == [TEXT]
    reply = Message.objects.get(kind=Message.Kind.OUR_REPLY)
    assert reply.external_id == "a80001"
    ticket.refresh_from_db()
    assert ticket.first_reply_at is not None and ticket.status == Ticket.Status.SOLVED


def test_an_admin_connects_a_forum_account_with_the_admin_api_key(live_server):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    forum = ChannelFactory(
        kind="discourse", name="GitLab forum", slug="forum", config={"base_url": "https://forum.example.com"}
    )
    forum.credentials = {"api_key": "the-admin-key", "api_username": "system"}
    forum.save()
    account = Account.objects.create(channel=forum, username="gitlab-team")

    with responses.RequestsMock(assert_all_requests_are_fired=False) as fake:
        fake.add_passthru("http://localhost")
        fake.add_passthru("http://127.0.0.1")
        fake.get(
            "https://forum.example.com/session/current.json",
            json={"current_user": {"id": 3, "username": "gitlab-team"}},
        )
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            sign_in(page, f"{live_server.url}/admin/login/?next=/admin/", "root")
            page.goto(f"{live_server.url}/admin/channels/channel/{forum.pk}/change/")
            row = page.locator("#accounts-group tbody tr.has_original").first
            expect(row).to_contain_text("Not connected")
            page.screenshot(path=str(ARTIFACTS / "e2e-admin-forum-account.png"), full_page=True)
            row.get_by_role("link", name="or with the forum's admin API key").click()
            expect(page.get_by_text("Api-Username: gitlab-team")).to_be_visible()
            page.get_by_role("button", name="Use the forum's admin API key for gitlab-team").click()
            expect(page.get_by_text("is connected with the forum's admin API key")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "e2e-admin-forum-account-connected.png"), full_page=True)
            assert "the-admin-key" not in page.content()
            browser.close()

    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED and account.tokens["api_username"] == "gitlab-team"
