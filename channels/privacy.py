"""What the channels app keeps, for erasing a person (people.privacy): a dead letter can hold a member's post
and is scrubbed there (by what it holds, as it is tied to no ticket); the rest is the platforms' configuration."""

from __future__ import annotations

# Models that hold no community member's text (model label: why), read by the erasure test.
FREE_OF_PERSONAL_DATA = {
    "channels.Channel": "a platform's configuration and poll state: cursor, errors, usage; written by admins",
    "channels.Account": "the team's own account on a platform, connected by staff",
}
