"""How often advocates correct the desk's judgement: of the tickets the desk judged in the last 30 days, the share
an advocate corrected, per judgement the desk gave (the KPI page's "Judgement corrections", docs/judgement.md).

One grouped query. The desk's judgement of a corrected ticket is the first correction's "from" (the ticket's
column holds the advocate's word by then); a ticket an advocate judged before the desk did ("from" empty) is not
the desk's and is left out. A ticket counts as corrected when the advocate's judgement differs from the desk's."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import CharField, Count, F, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from mentions.models import JudgedBy, Judgement, Ticket, TicketEvent
from mentions.services.judgement_learned import latest_unused, learned_active, learned_said, unused_said

WINDOW_DAYS = 30


def judgement_corrections(*, now: datetime) -> list[dict]:
    """[{judgement, label, judged, corrected, corrected_pct}] per judgement the desk gave, in the choices' order."""
    first_correction = (
        TicketEvent.objects.filter(ticket_id=OuterRef("pk"), kind=TicketEvent.Kind.JUDGEMENT)
        .order_by("pk")
        .values(said=KT("data__from"))[:1]
    )
    rows = (
        Ticket.objects.filter(judged_at__gte=now - timedelta(days=WINDOW_DAYS))
        .exclude(judgement="")
        .annotate(desk=Coalesce(Subquery(first_correction, output_field=CharField()), F("judgement")))
        .values("desk")
        # Corrected: the advocate's word is not the desk's. An unsure judgement confirmed as it stood, or an intent
        # alone corrected, is not a wrong judgement.
        .annotate(
            judged=Count("id"),
            corrected=Count("id", filter=Q(judged_by=JudgedBy.ADVOCATE) & ~Q(judgement=F("desk"))),
        )
        .order_by()
    )
    found = {row["desk"]: row for row in rows}
    return [
        {
            "judgement": value,
            "label": label,
            "judged": found[value]["judged"] if value in found else 0,
            "corrected": found[value]["corrected"] if value in found else 0,
            "corrected_pct": 100.0 * found[value]["corrected"] / found[value]["judged"] if value in found else None,
        }
        for value, label in Judgement.choices
    ]


def judgement_learned_said() -> dict[str, str]:
    """How the desk's learned judgement does on its newest labelled tickets (the active version's figures), and why the
    newest learned version does not judge ("" when it does), in the words admin's list of versions says them: two
    queries (the active version, the newest version), as `judgement_learned` and `judgement_unused` for the page."""
    unused = latest_unused()
    return {"judgement_learned": learned_said(learned_active(), unused=unused), "judgement_unused": unused_said(unused)}
