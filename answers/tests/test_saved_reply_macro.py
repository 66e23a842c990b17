"""A macro's "Prefill a saved reply" action: the saved reply of that title, filled for the ticket (the macro's
link as {link}), after what is drafted; the macro is refused whole when no active saved reply has that title."""

import pytest
from django.core.exceptions import ValidationError

from answers.models import SavedReply
from mentions.models import Macro, MacroAction, Tag, Ticket, TicketEvent
from mentions.services.actions import macro_apply
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _macro(title: str, *, ask_link: bool = False) -> Macro:
    macro = Macro.objects.create(name=f"Known issue ({title})")
    MacroAction.objects.create(macro=macro, position=1, kind=MacroAction.Kind.ADD_TAGS, value="known-issue")
    if ask_link:
        MacroAction.objects.create(macro=macro, position=2, kind=MacroAction.Kind.ASK_LINK)
    MacroAction.objects.create(macro=macro, position=3, kind=MacroAction.Kind.SAVED_REPLY, value=title)
    return macro


def test_the_saved_reply_is_prefilled_for_the_ticket_with_the_macros_link():
    SavedReply.objects.create(title="Known issue", body="Thanks {requester}, this is known: {link}.")
    ticket = TicketFactory(requester_name="Dana", status=Ticket.Status.NEW)
    MessageFactory(ticket=ticket)
    ticket.reply_draft = "Hi!"
    ticket.save()
    macro_apply(ticket=ticket, user=AdvocateFactory(), macro=_macro("known issue", ask_link=True),
                link="https://gitlab.example.com/issues/7")  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.reply_draft == "Hi!\n\nThanks Dana, this is known: https://gitlab.example.com/issues/7."
    assert ticket.status == Ticket.Status.NEW  # a prefill leaves the sending to the advocate
    assert SavedReply.objects.get().uses == 1
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.REPLY_PREFILLED)
    assert event.data["via"] == "known issue"


def test_a_missing_or_inactive_saved_reply_refuses_the_whole_macro():
    SavedReply.objects.create(title="Old answer", body="…", is_active=False)
    ticket = TicketFactory()
    MessageFactory(ticket=ticket)
    for title in ("Old answer", "Never written"):
        with pytest.raises(ValidationError, match=f"The saved reply “{title}” is gone or inactive"):
            macro_apply(ticket=ticket, user=AdvocateFactory(), macro=_macro(title))
    ticket.refresh_from_db()
    assert ticket.reply_draft == ""
    assert not ticket.tags.exists() and not Tag.objects.filter(name="known-issue", tickets=ticket).exists()
