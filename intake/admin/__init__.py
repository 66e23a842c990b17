"""The channels' admin (settings, accounts, polls) and the dead letters a poll leaves behind: both run polls
and retries through the ingest pipeline, so they are intake's. The models stay `channels`' (app label and
admin URLs unchanged)."""

from intake.admin import channels, competitors, dead_letters  # noqa: F401
