"""An import from another helpdesk (docs/importing.md): each run, and what each imported object became."""

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One import, from the command or the admin page: where from, how far it got (the cursors, stored with each
    page's rows in the same transaction, so an interrupted run resumes where it stopped), and what it wrote."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        ZENDESK_API = "zendesk_api", "Zendesk (API)"
        ZENDESK_FILES = "zendesk_files", "Zendesk (export files)"
        DOCUMENTED = "documented", "Documented JSON/CSV"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What the imported rows are keyed under ("zendesk:acme", "files:/path"): a second run of the same source
    # finds them again; two Zendesk accounts never collide.
    source = models.CharField(max_length=200)
    subdomain = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    path = models.CharField(max_length=1000, blank=True)
    # The API token of a run started from admin, encrypted (channels.secrets) until the worker has read it, then
    # emptied: it never travels in the task's message, and is never shown.
    token_encrypted = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # {"tickets": 1000, "messages": 3000, "people": 200, ...}: rows written so far, and "skipped" (already there).
    counts = models.JSONField(default=dict, blank=True)
    # Per stream ({"tickets": "<after_cursor>", "users": ..., "tickets_done": true}): where the next page starts.
    cursor = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source} ({self.get_status_display()})"


class ExternalRef(models.Model):
    """An object of the old tool and the row it became here: the importer looks its ids up in sets, never a
    query per row, and a second run skips what is already here (or rewrites what changed there since)."""

    class Kind(models.TextChoices):
        TICKET = "ticket", "Ticket"
        USER = "user", "User"
        ORGANIZATION = "organization", "Organization"
        MACRO = "macro", "Macro"

    source = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    external_id = models.CharField(max_length=200)
    # The row it became: a Ticket, a Person, a Macro; null for what becomes no row (an agent with no desk user,
    # an organization, kept on its people).
    local_id = models.BigIntegerField(null=True, blank=True)
    # The source's updated_at as it said it: an object it changed since is written again, others are skipped.
    stamp = models.CharField(max_length=40, blank=True)
    # What a later page needs of it: a user's role ("agent", "end-user"), an organization's name.
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "external_id"], name="externalref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id} -> {self.local_id}"


class QuarantinedRecord(models.Model):
    """A record of an import's that was not imported, and why: a line that is not JSON, too long or too deep, a
    ticket without an id or a readable time, a value the database refused. Its run went on without it. It says where
    the record is (the export's file and line), not what it holds: the export keeps it, for someone to fix there."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="quarantined")
    file = models.CharField(max_length=200)
    # None for a record from the API (it has no line) or one the database refused (its page's records carry none).
    line = models.PositiveBigIntegerField(null=True, blank=True)
    # A ticket's or macro's id in the old tool, when it had one (never a person's: it may be their address).
    key = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["run", "file", "line", "id"]
        constraints = [
            # A run reads a file's start again on each slice for what it needs whole (comments.json): a bad line of
            # it is kept once.
            models.UniqueConstraint(fields=["run", "file", "line"], name="quarantined_once_a_line"),
        ]

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line is not None else self.file
        return f"{where}{f' (id {self.key})' if self.key else ''}: {self.reason}"
