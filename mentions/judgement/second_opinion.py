"""The team's own model as a second opinion (docs/team-model.md): the mentions the desk is unsure of, most unsure
first, are sent to the admin's endpoint when it is on for judging; its verdict replaces the desk's, with the
reason saying whose it is. Without an endpoint, or for whatever it did not judge, the desk's verdict stands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from django.conf import settings

from mentions.assistant.judge import TeamModelInput, team_model_judgements
from mentions.judgement.classify import REASON_CHARS, Verdict
from mentions.judgement.features import MentionText
from mentions.judgement.product import Product
from mentions.models import TeamModelEndpoint, Ticket
from mentions.models.team_model import DEMO_MODEL

TEAM_CONFIDENCE = 0.6  # the team model's word: above the unsure line, below what the desk is sure of


def team_model_second_opinion(
    judged: dict[int, Verdict], mentions: dict[int, MentionText], product: Product | Mapping[int, Product]
) -> dict[int, Verdict]:
    """`product`: every mention's, or each ticket's own (a batch of several products, issue 71)."""
    below = settings.DESK_JUDGEMENT_UNSURE_BELOW
    unsure = sorted(
        (i for i, v in judged.items() if v.confidence is not None and v.confidence < below),
        key=lambda i: judged[i].confidence or 0.0,
    )
    if not unsure:
        return {}
    model = TeamModelEndpoint.objects.filter(enabled=True, judge_unsure=True).values_list("model", flat=True).first()
    if model is None:
        return {}
    # Whose word it is, on the ticket page: the demo's replay (make run) is never taken for a model.
    whose = "The demo's model" if model == DEMO_MODEL else "Your model"
    channels = dict(Ticket.objects.filter(pk__in=unsure).values_list("pk", "channel_id"))
    product_of = (lambda i: product) if isinstance(product, Product) else product.__getitem__
    items = {
        i: TeamModelInput(
            title=mentions[i].title,
            text=mentions[i].text,
            platform=mentions[i].platform,
            product_name=product_of(i).name,
            product_description=product_of(i).description,
            channel_id=channels.get(i),
        )
        for i in unsure
    }
    found = team_model_judgements(items)
    return {
        i: replace(
            judged[i],
            judgement=answer.judgement,
            intent=answer.intent,
            confidence=TEAM_CONFIDENCE,
            reason=f"{whose}: {answer.reason}"[:REASON_CHARS],
        )
        for i, answer in found.items()
    }
