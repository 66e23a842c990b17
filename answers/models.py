"""Answers the team reuses: saved replies, a library apart from macros (a macro sets status and tags; a saved
reply is text an advocate inserts into the draft and edits before sending)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SavedReply(models.Model):
    title = models.CharField(max_length=120, unique=True)
    body = models.TextField(
        help_text="The reply. Placeholders: {requester} (their name, else handle), {handle} (@handle on X, the "
        "handle elsewhere), {link} (a link the advocate gives when inserting it)."
    )
    keywords = models.CharField(max_length=300, blank=True, help_text="Words to find it by, besides its title.")
    is_active = models.BooleanField(default=True)
    uses = models.PositiveIntegerField(default=0, help_text="Times inserted into a reply.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "saved replies"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from answers.saved_replies import placeholders_check

        placeholders_check(self.body)
