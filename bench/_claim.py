"""claim_latency.py's EXPLAIN of the claim and its holder of the xmin horizon (issue 58), kept apart so the script
stays short."""

from __future__ import annotations

from typing import Any


def explain_print(view, user, label: str) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) the claim's SELECT as ticket_claim_next runs it, from the head of the view's order
    and, after the run, from the floor the claims left (mentions.services.play_floor); locks are rolled back."""
    from django.db import connection, transaction

    from mentions.services.play import claim_pick_sql
    from mentions.services.play_floor import floor_peek

    floor = floor_peek(view)
    starts: list[tuple[str, Any]] = [("from the head of the order", None)]
    if floor is not None:
        starts.append((f"from the floor {floor.isoformat()}", floor))
    for what, start in starts:
        with transaction.atomic():
            sql, params = claim_pick_sql(view=view, user=user, start=start)
            sql += ' FOR UPDATE OF "mentions_ticket" SKIP LOCKED'
            with connection.cursor() as cur:
                if label == "before":
                    print("claim query (as built by ticket_claim_next):")
                    print("  " + cur.mogrify(sql, params).decode())
                    print()
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = [row[0] for row in cur.fetchall()]
            transaction.set_rollback(True)
        print(f"EXPLAIN (ANALYZE, BUFFERS), {label} the run, {what}:")
        for line in plan:
            print("  " + line)
        print(flush=True)


def horizon_hold():
    """A transaction with an xid in another database (`postgres`), open until the run's last EXPLAIN: on PostgreSQL
    15 no scan marks the entries of row versions deleted after it began, as with a long load or report beside the
    desk (issue 58). Returns the connection to roll back."""
    import psycopg2
    from django.db import connection

    params = {k: v for k, v in connection.get_connection_params().items() if k in ("host", "port", "user", "password")}
    holder = psycopg2.connect(dbname="postgres", **params)
    with holder.cursor() as cur:
        cur.execute("SELECT txid_current()")
        print(f"holding xid {cur.fetchone()[0]} open in database postgres until the end of the run", flush=True)
    return holder
