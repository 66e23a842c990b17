"""bench/pages.py --products 1,5,1,5: the same pages measured on a desk with one product and with several, in one
run (issue 71's target: the ticket page and the queue with five products cost no more than with one).

`products_set(n)` turns the loaded database into a desk with `n` products as a team would have it: the first
product (the desk's default, made as "Bench product 1" when the desk has none) and "Bench product 2..n"; the channels
dealt round-robin to the products (the first product's channels keep an empty product, as an existing desk's do); every
ticket given its channel's product, as intake does. Going back to one product removes the bench products and empties
the tickets' product again, so the database ends as the one-product desk it was loaded as. The tickets are rewritten
by one UPDATE (only those whose product changes) and the table is vacuumed and analysed afterwards, so both desks
are measured on tidy tables with fresh planner statistics.

The KPI and Community pages read daily rollups keyed by product that this does not rebuild: they are not what the
products' target is about (their narrowed figures are tested in metrics/tests).
"""

from __future__ import annotations

import time

BENCH_PRODUCT = "Bench product"


def products_set(n: int) -> str:
    """Make the desk one of `n` products; says what it did and how long it took."""
    from django.db import connection, transaction

    from advocacy.versioned import version_bump
    from mentions.models import ProductProfile
    from mentions.products import PRODUCTS_VERSION_KEY

    if n < 1:
        raise ValueError("a desk has at least one product")
    started = time.perf_counter()
    with transaction.atomic():
        first = ProductProfile.objects.order_by("id").first() or ProductProfile.objects.create(
            name=f"{BENCH_PRODUCT} 1", description="A bench product."
        )
        others = list(ProductProfile.objects.exclude(pk=first.pk).order_by("id"))
        for k in range(len(others) + 2, n + 1):
            others.append(ProductProfile.objects.create(name=f"{BENCH_PRODUCT} {k}", description="A bench product."))
        kept, dropped = others[: n - 1], [p.pk for p in others[n - 1 :]]
        owners: list[int | None] = [None, *(p.pk for p in kept)]
        with connection.cursor() as cur:
            cur.execute("SELECT id FROM channels_channel WHERE slug LIKE 'bench-%%' ORDER BY id")
            channels = [row[0] for row in cur.fetchall()]
            for i, channel_id in enumerate(channels):
                cur.execute(
                    "UPDATE channels_channel SET product_id = %s WHERE id = %s", [owners[i % len(owners)], channel_id]
                )
            cur.execute(
                """
                UPDATE mentions_ticket t SET product_id = c.product_id
                FROM channels_channel c
                WHERE t.channel_id = c.id AND t.product_id IS DISTINCT FROM c.product_id
                """
            )
            moved = cur.rowcount
        # Through the ORM: whatever else names a dropped product (a view, a rule) is emptied as the desk does it.
        ProductProfile.objects.filter(pk__in=dropped).delete()
    version_bump(PRODUCTS_VERSION_KEY)
    with connection.cursor() as cur:  # outside the transaction: VACUUM cannot run inside one
        cur.execute("VACUUM (ANALYZE) mentions_ticket")
        cur.execute("ANALYZE channels_channel")
    took = time.perf_counter() - started
    products = ProductProfile.objects.count()
    return f"{products} product(s); {len(channels)} channels dealt; {moved:,} tickets moved; {took:.0f} s"
