"""The most active members of the Community page's usual ranges, ranked ahead of the managers (beat, every 5 minutes).

A day's first view of a range pays for the day that came: its list of the most active members is derived from the day
before's from the people of the days added and left out (metrics.community.active_past), ~2,500 people probed at
1,000,000 tickets, 100 ms for a year where a view of the same day takes 60 (bench/README.md). Ranked here once the day
has turned, for the page's default range (metrics.forms.DEFAULT_DAYS) and a year, for the whole desk and for each
product when the desk has several, the manager's first view finds the day's list kept, and the runs after it keep the
people of today met so far (the memo a view reads beside the list). Another range or a channel chosen is ranked when
asked, as before. PostgreSQL only: elsewhere the page counts from the tickets and nothing is kept.
"""

from __future__ import annotations

from datetime import date, timedelta

from mentions.products import desk_products
from metrics.community.active import most_active
from metrics.community.active_past import _today
from metrics.forms import DEFAULT_DAYS
from metrics.product_scope import product_narrowed
from metrics.rollups import rollups_read, rollups_supported

RANGES_DAYS = (DEFAULT_DAYS, 365)


def members_ahead(*, today: date | None = None) -> int:
    """Ranks the usual ranges ending today (UTC, the rollup's days); returns how many it ranked."""
    if not rollups_supported():
        return 0
    today = today or _today()
    products = desk_products()
    scopes = [None, *(p.pk for p in products.products)] if products.many else [None]
    ranked = 0
    with rollups_read():
        for product in scopes:
            with product_narrowed(product):
                for days in RANGES_DAYS:
                    most_active(start=today - timedelta(days=days - 1), end=today)
                    ranked += 1
    return ranked
