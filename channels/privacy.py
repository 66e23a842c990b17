"""What the channels app keeps, for erasing a person (people.privacy): a dead letter can hold a member's post
and is scrubbed there (by what it holds, as it is tied to no ticket); a competitor's counted mention keeps its
author's handle, and the rows an erased person wrote are deleted there too; the rest is the platforms'
configuration."""

from __future__ import annotations

# Models that hold no community member's text (model label: why), read by the erasure test.
FREE_OF_PERSONAL_DATA = {
    "channels.Channel": "a platform's configuration and poll state: cursor, errors, usage; written by admins",
    "channels.Account": "the team's own account on a platform, connected by staff",
    "channels.Competitor": "a competitor's name and search terms, written by admins",
    "channels.CompetitorSearch": "where a competitor was searched: the search's cursor (ids and times) and errors",
}
