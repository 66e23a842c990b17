"""What the figures keep, for erasing a person (people.privacy): counts and times, never a ticket's text, so an erasure
leaves the reports as they were.

Two rollups keep words: the Community page's terms per day (CommunityTermDay, words of the counted tickets' subjects,
and its sum over the channels, CommunityTermSumDay). Erasing a person scrubs their tickets' subjects, which marks
those days to be rebuilt from what is left at the next read (metrics.rollups); a term that is a word of their name,
handles or addresses is dropped at once (community_erase, an erasure hook), so none waits for that read."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from people.erasing import Erasing

# Models that hold no community member's text (model label: why), read by the erasure test.
FREE_OF_PERSONAL_DATA = {
    "metrics.RollupDirty": "which rollups to compute again: a kind and a day",
    "metrics.TagDay": "tickets per tag and day: counts under the tags' names",
    "metrics.ReportSchedule": "when and where the reports go, set by managers",
    "metrics.ReportSend": "a period's report as sent to managers: figures, no ticket's text or requester",
    "metrics.TicketDay": "tickets per day, channel and priority: counts and their reply times' seconds (numbers)",
    "metrics.AdvocateDay": "an advocate's day per channel: counts and handling times in microseconds (numbers)",
    "metrics.CommunityDay": "first mentions per day and channel under the judgement's choices: counts",
    "metrics.CommunitySentimentDay": "first mentions per day, channel and sentiment: counts",
    "metrics.CommunityChoiceDay": "first mentions per day under each intent, judgement and sentiment: counts",
    "metrics.CompetitorDay": "a competitor's mentions found per day and sentiment: counts, no author (theirs go "
    "with their mentions, people.privacy)",
    "metrics.JudgementCheck": "a team member's reading of a ticket's sentiment and intent beside the desk's: choice "
    "values only, no text (the mention stays on its ticket)",
}


def community_erase(*, erasing: Erasing) -> dict[str, int]:
    """people.privacy's erasure hook: the Community page's terms that are theirs (see the module's docstring)."""
    from django.db.models import Q

    from metrics.models import CommunityTermDay, CommunityTermSumDay

    theirs = Q(term__in=sorted(erasing.words))
    if erasing.pattern:  # the pattern people.privacy scrubs with (a whole handle or address, should a term hold one)
        theirs |= Q(term__iregex=erasing.pattern)
    return {
        model._meta.label: model.objects.filter(theirs).delete()[0] for model in (CommunityTermDay, CommunityTermSumDay)
    }
