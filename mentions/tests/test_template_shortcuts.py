"""The ticket page's template shortcuts give what the slower tags they stand for give: `object_url` what
`{% url name pk %}` gives, `action_result` with nothing to say what mentions/_action_result.html renders."""

import pytest
from django.template import Context
from django.template.loader import render_to_string
from django.urls import reverse

from mentions.templatetags.desk import action_result
from mentions.templatetags.desk_urls import object_url

TICKET_URLS = [
    "mentions:ticket",
    "mentions:ticket-send",
    "mentions:ticket-reply",
    "mentions:ticket-note",
    "mentions:ticket-macro",
    "mentions:ticket-status",
    "mentions:ticket-priority",
    "mentions:ticket-tags",
    "mentions:ticket-assign",
    "mentions:ticket-merge",
    "mentions:ticket-release",
    "mentions:ticket-skip",
    "mentions:ticket-live",
    "mentions:ticket-history",
    "mentions:ticket-presence",
]


@pytest.mark.parametrize("pk", [1, 7, 42, 2_147_480_009, 9_000_000_123])
def test_object_url_is_what_reverse_gives_for_every_ticket_url(pk):
    assert [object_url(name, pk) for name in TICKET_URLS] == [reverse(name, args=[pk]) for name in TICKET_URLS]


def test_object_url_takes_only_an_id():
    with pytest.raises(ValueError):
        object_url("mentions:ticket", "1/../../admin")


@pytest.mark.parametrize("key", ["send", "reply", "note", "macro", "status", "priority", "tags", "assign", "merge"])
def test_an_empty_result_slot_is_the_templates_own(key):
    template = render_to_string("mentions/_action_result.html", {"key": key}).strip()
    assert action_result(Context({}), key, None) == template


def test_a_reason_links_the_earlier_ticket_it_names_and_escapes_the_rest():
    from mentions.models.tickets import ticket_path
    from mentions.templatetags.desk import reason_linked

    assert reason_linked("Like #812, which the team answered") == (
        f'Like <a href="{ticket_path(812)}" data-testid="judgement-earlier">#812</a>, which the team answered'
    )
    quoted = 'Asks "<script>x</script>" & more'
    assert reason_linked(quoted) == "Asks &quot;&lt;script&gt;x&lt;/script&gt;&quot; &amp; more"
    assert reason_linked("Unsure <b>: Like #7, which was solved without a reply").startswith(
        f'Unsure &lt;b&gt;: Like <a href="{ticket_path(7)}"'
    )
    assert reason_linked("") == ""
