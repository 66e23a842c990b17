"""People in the desk's global search: the ticket list's search shows the people matching its words above
the tickets (mentions/search/blocks.py, registered in people.apps)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from people.models import Identity
from people.selectors import people_first

SEARCH_PEOPLE = 5  # shown above the tickets; the rest are a narrower search away


def search_people_block(*, q: str) -> SafeString | str:
    """The "People" block for `q`: up to SEARCH_PEOPLE people people_first finds, each with their accounts,
    or "" when none matches. Two queries (the people, one more than shown to say there are more; their
    identities)."""
    q = (q or "").strip()
    if not q:
        return ""
    found = list(
        people_first(q, stop=SEARCH_PEOPLE + 1).prefetch_related(
            Prefetch("identities", queryset=Identity.objects.order_by("platform", "key"))
        )[: SEARCH_PEOPLE + 1]
    )
    if not found:
        return ""
    return render_to_string(
        "people/_search_people.html",
        {"people": found[:SEARCH_PEOPLE], "more": len(found) > SEARCH_PEOPLE, "q": q},
    )
