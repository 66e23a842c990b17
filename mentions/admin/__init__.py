"""The mentions app's admin, one module per part of the desk. The channels' admin (settings, accounts,
polls, dead letters) is registered from here too: it runs polls and retries through the ingest pipeline."""

from mentions import channel_admin, dead_letter_admin  # noqa: F401
from mentions.admin import duty, tickets, triage, work  # noqa: F401
