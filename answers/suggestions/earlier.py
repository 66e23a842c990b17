"""What the Answers panel and the API read of an earlier answer offered for a ticket: the same for a suggestion
being ranked (answers.suggestions.ranking) and a stored one (answers.suggestions.stored). Its own module:
answers.suggestions.stored is imported by the index, which the ranking imports."""

from __future__ import annotations

from datetime import datetime

from answers.models import Answer
from channels.adapters.registry import PLATFORMS, platform_of


class EarlierAnswer:
    """What the panel and the API read of an offered answer: here, and on a stored suggestion
    (answers.suggestions.stored)."""

    answer: Answer

    @property
    def ticket_id(self) -> int:
        return self.answer.ticket_id

    @property
    def answered_by(self) -> str:
        user = self.answer.answered_by
        return (user.get_full_name() or user.get_username()) if user is not None else ""

    @property
    def answered_at(self) -> datetime:
        return self.answer.answered_at

    @property
    def platform_label(self) -> str:
        kind = self.answer.platform
        return platform_of(kind).label if kind in PLATFORMS else kind
