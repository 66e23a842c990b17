"""A macro that prefills the reply keeps what the advocate typed and did not save, in Chromium (issue "One door for
ticket writes"): type a sentence in the reply box, apply "Downtime: check status page" with the picker's Apply and
then, on another ticket, with the keyboard's `m` picker: the reply box holds the sentence and then the prefill, and
so does the ticket's saved draft; Enter in the reply's link box then records the reply. Then without JavaScript
(the same page with scripts off): the browser posts the composer's form to the macro, and the page that comes back
holds both too. And a second advocate's stale Insert from the Answers panel: refused beside the panel, the typed
text back in the box.

The desk's own pages on a live server; the tickets are on Hacker News (the composer records a reply made on the
platform) and X (the composer sends from the desk): applying a macro posts nothing to either.
"""

import pytest
from playwright.sync_api import expect, sync_playwright

from answers.models import SavedReply
from channels.tests.factories import ChannelFactory
from mentions.models import Macro, Ticket
from mentions.tests.factories import BASE_TIME, AdvocateFactory, MessageFactory, TicketFactory
from tests.e2e.test_keyboard_browser import _browser, _desk_page, _log_in
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TYPED = "I looked at your runner logs first."
PREFILL = "Sorry for the trouble, dana! Please check https://status.gitlab.com"
DOWNTIME = "Downtime: check status page"


def _tickets() -> tuple[Ticket, Ticket]:
    on_hn = TicketFactory(subject="Is GitLab down?", requester_handle="dana", requested_at=BASE_TIME)
    MessageFactory(ticket=on_hn, body="Pipelines stuck since 10:00, anyone else?")
    x = ChannelFactory(kind="twitter", config={"handles": [{"username": "GitLab", "user_id": "1", "role": "main"}]})
    on_x = TicketFactory(channel=x, subject="@GitLab down?", requester_handle="dana", requested_at=BASE_TIME)
    MessageFactory(ticket=on_x, external_id="1860000000000000001", body="@GitLab is CI down?")
    return on_hn, on_x


def _draft(ticket: Ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).reply_draft


def test_a_prefill_goes_after_the_typed_sentence_with_the_mouse_the_keyboard_and_without_javascript(
    live_server, handbook_macros
):
    AdvocateFactory(username="ada")
    on_hn, on_x = _tickets()
    downtime = str(Macro.objects.get(name=DOWNTIME).pk)  # the database is read outside Playwright's loop
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1366, "height": 900})

        # The mouse: type, choose the macro, Apply.
        page.goto(f"{live_server.url}{on_hn.get_absolute_url()}")
        page.wait_for_load_state("load")
        box = page.locator("#reply-body")
        box.fill(TYPED)
        picker = page.get_by_test_id("macro-picker")
        picker.locator("select[name=macro]").select_option(downtime)
        page.get_by_test_id("macro-apply").click()
        expect(page.get_by_test_id("result-macro")).to_contain_text(f"“{DOWNTIME}” applied to #{on_hn.pk}.")
        value = page.locator("#reply-body").input_value()
        assert value.startswith(f"{TYPED}\n\n{PREFILL}"), value
        expect(page).to_have_url(f"{live_server.url}{on_hn.get_absolute_url()}")
        page.screenshot(path=str(ARTIFACTS / "e2e-macro-keeps-typing-mouse.png"))
        page.reload()  # saved: the page shows the ticket's draft
        assert page.locator("#reply-body").input_value().startswith(f"{TYPED}\n\n{PREFILL}")
        # One form, a button per action: Enter in the reply's link records the reply (not the macro's Apply,
        # which comes first in the form).
        page.locator("#reply-link").fill("https://news.ycombinator.com/item?id=42")
        page.locator("#reply-link").press("Enter")
        expect(page.get_by_test_id("result-reply")).to_contain_text(f"Reply recorded on #{on_hn.pk}.")

        # The keyboard: type in the send box, `m`, filter, Enter.
        page.goto(f"{live_server.url}{on_x.get_absolute_url()}")
        page.wait_for_load_state("load")
        page.keyboard.press("r")
        page.keyboard.type(TYPED)
        page.locator("#send-body").blur()  # out of the box: letters are shortcuts again
        page.keyboard.press("m")
        dialog = page.get_by_role("dialog", name="Apply a macro")
        expect(dialog).to_be_visible()
        page.keyboard.type("downtime")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("result-macro")).to_contain_text(f"“{DOWNTIME}” applied to #{on_x.pk}.")
        value = page.locator("#send-body").input_value()
        assert value.startswith(f"{TYPED}\n\n{PREFILL}"), value
        page.screenshot(path=str(ARTIFACTS / "e2e-macro-keeps-typing-keyboard.png"))
        browser.close()
    recorded = Ticket.objects.get(pk=on_hn.pk)
    assert recorded.status == Ticket.Status.SOLVED and recorded.reply_draft == ""  # recorded, the draft sent
    assert recorded.messages.get(kind="our_reply").body.startswith(f"{TYPED}\n\n{PREFILL}")
    assert _draft(on_x).startswith(f"{TYPED}\n\n{PREFILL}")


def test_without_javascript_the_macro_and_the_answers_panel_post_the_reply_box(live_server, handbook_macros):
    AdvocateFactory(username="ada")
    AdvocateFactory(username="bo")
    on_hn, _on_x = _tickets()
    SavedReply.objects.create(title="Known incident", body="We are on it: https://status.gitlab.com")
    downtime = str(Macro.objects.get(name=DOWNTIME).pk)

    with sync_playwright() as pw:
        browser = _browser(pw)
        ada = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 900}).new_page()
        _log_in(ada, live_server.url, "ada")
        url = f"{live_server.url}{on_hn.get_absolute_url()}"

        ada.goto(url)
        ada.locator("#reply-body").fill(TYPED)
        ada.get_by_test_id("macro-picker").locator("select[name=macro]").select_option(downtime)
        ada.get_by_test_id("macro-apply").click()
        ada.wait_for_load_state("load")
        value = ada.locator("#reply-body").input_value()  # the page after the post: the saved draft
        assert value.startswith(f"{TYPED}\n\n{PREFILL}"), value

        # The Answers panel in the page (no script loads it), a sentence typed; bo changes the ticket meanwhile.
        ada.goto(f"{url}?panels=inline")
        ada.locator("#reply-body").fill("Second thought: ")
        bo = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        _log_in(bo, live_server.url, "bo")
        bo.goto(url)
        bo.wait_for_load_state("load")
        bo.locator("#ticket-status-select").select_option("pending")
        bo.locator("#status-submit").click()
        expect(bo.get_by_test_id("result-status")).to_contain_text("pending")
        ada.get_by_test_id("saved-choice").click()
        ada.wait_for_load_state("load")
        expect(ada.get_by_test_id("result-answers")).to_contain_text("This ticket changed since you opened it")
        expect(ada.locator("#reply-body")).to_have_value("Second thought: ")
        ada.screenshot(path=str(ARTIFACTS / "e2e-answers-insert-stale-without-js.png"), full_page=True)
        browser.close()
    assert _draft(on_hn).startswith(f"{TYPED}\n\n{PREFILL}") and "We are on it" not in _draft(on_hn)
