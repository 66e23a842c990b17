"""The columns a polled feed keeps (the status pages' feeds, the release sources' blog feeds), read and written by
stories.incidents.feeds."""

from __future__ import annotations

from django.db import models

from advocacy.model_bases import Stamped


class PolledFeed(Stamped):
    """What a polled feed keeps to be read politely (stories.incidents.feeds): its validators for conditional requests,
    when it was read and is read next, and its failures in a row with the last one's reason."""

    enabled = models.BooleanField(default=True)
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_poll_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False)

    name: models.CharField

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.name)
