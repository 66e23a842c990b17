"""What the figures keep, for erasing a person (people.privacy): counts and times, never a ticket's text, so
an erasure leaves the reports as they were."""

from __future__ import annotations

# Models that hold no community member's text (model label: why), read by the erasure test.
FREE_OF_PERSONAL_DATA = {
    "metrics.RollupDirty": "which rollups to compute again: a kind and a day",
    "metrics.TagDay": "tickets per tag and day: counts under the tags' names",
    "metrics.ReportSchedule": "when and where the reports go, set by managers",
    "metrics.ReportSend": "a period's report as sent to managers: figures, no ticket's text or requester",
    "metrics.TicketDay": "tickets per day, channel and priority: counts and their reply times' seconds (numbers)",
    "metrics.AdvocateDay": "an advocate's day per channel: counts and handling times in microseconds (numbers)",
}
