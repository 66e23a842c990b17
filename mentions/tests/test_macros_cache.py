"""The ticket page's macro list comes from the cache and follows every change to macros at once."""

import pytest

from mentions.models import Macro, MacroAction
from mentions.tests.factories import AdvocateFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_macro_changes_show_on_the_next_ticket_page(client):
    client.force_login(AdvocateFactory())
    url = TicketFactory().get_absolute_url()
    macro = Macro.objects.create(name="Point to the runner docs", position=900)
    assert "Point to the runner docs" in client.get(url).content.decode()

    macro.name = "Point to the registry docs"
    macro.save()
    html = client.get(url).content.decode()
    assert "Point to the registry docs" in html and "Point to the runner docs" not in html

    MacroAction.objects.create(macro=macro, kind=MacroAction.Kind.ASK_LINK)
    assert "Point to the registry docs — Submits and moves on; needs a link" in client.get(url).content.decode()

    macro.is_active = False
    macro.save()
    assert "Point to the registry docs" not in client.get(url).content.decode()
    Macro.objects.create(name="Ask for the pipeline YAML", position=901)
    assert "Ask for the pipeline YAML" in client.get(url).content.decode()
