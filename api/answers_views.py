"""The API's answers: the earlier answered tickets most like a ticket, as the Answers panel shows them, best
first: the suggestions the worker computed and stored (answers.suggestions.stored), never searched in the request."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from answers.suggestions.stored import stored_state
from api.errors import NotFound, refusals
from api.views import WORK, ApiView
from mentions.models import Ticket

Reply = inline_serializer("SuggestedReply", {"text": serializers.CharField(), "permalink": serializers.CharField()})
SUGGESTION: dict[str, serializers.Field] = {
    "ticket": serializers.IntegerField(help_text="The earlier ticket's id."),
    "score": serializers.FloatField(help_text="Higher is more alike; comparable within one answer only."),
    "reply": Reply,
    "link": serializers.CharField(help_text="The first link our reply gave, or an empty string."),
    "answered_by": serializers.CharField(),
    "answered_at": serializers.DateTimeField(),
    "why": serializers.ListField(child=serializers.CharField(), help_text='e.g. "shares: artifacts, expire"'),
    "fit": serializers.FloatField(
        allow_null=True, help_text="How likely the answer fits, 0-1, when the desk's ranking learned it; else null."
    ),
}


class TicketSuggestions(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        operation_id="tickets_suggestions",
        summary="Earlier answered tickets most like this one, best first (merged, spam and unanswered left out); "
        "empty when none has the evidence to fit",
        responses={
            200: inline_serializer(
                "Suggestions",
                {
                    "results": inline_serializer("Suggestion", SUGGESTION, many=True),
                    "pending": serializers.BooleanField(
                        help_text="True while the desk has not computed this ticket's suggestions yet (it was asked "
                        "to: ask again in a few seconds); `results` is then empty."
                    ),
                },
            ),
            **refusals(404),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        ticket = Ticket.objects.filter(pk=pk).select_related("channel").first()
        if ticket is None:
            raise NotFound("No such ticket.")
        state = stored_state(ticket)
        results = [
            {
                "ticket": s.ticket_id,
                "score": s.score,
                "reply": {"text": s.answer.reply, "permalink": s.answer.reply_permalink},
                "link": s.answer.link,
                "answered_by": s.answered_by,
                "answered_at": s.answered_at,
                "why": s.why,
                "fit": s.fit,
            }
            for s in state["suggestions"]
        ]
        return Response({"results": results, "pending": state["suggestions_looking"]})
