"""Our knowledge sources, searched beside the composer with the earlier answers (answers.knowledge): the
product's issue tracker (GitLab, GitHub), our forum (Discourse), our docs (a sitemap indexed into DocPage) and
accepted answers on Stack Overflow. Configured in admin; each optional. Imported by answers.models."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from advocacy.model_bases import Named
from advocacy.model_fields import product_link

# owner/repo as GitHub spells them: letters, digits, "-", "_" and "." (no leading dot for a repository).
_GITHUB_REPO = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9_.-]{1,100}")
_GITLAB_PROJECT = re.compile(r"\d+|[A-Za-z0-9_.][A-Za-z0-9_.-]*(/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+")
_SO_TAG = re.compile(r"[a-z0-9+#.-]{1,35}")


class KnowledgeSource(Named):
    class Kind(models.TextChoices):
        GITLAB_ISSUES = "gitlab_issues", "GitLab issues"
        GITHUB_ISSUES = "github_issues", "GitHub issues"
        DISCOURSE = "discourse", "Discourse forum"
        DOCS = "docs", "Docs (sitemap)"
        STACKOVERFLOW = "stackoverflow", "Stack Overflow accepted answers"

    name = models.CharField(max_length=100, unique=True, help_text='Shown in the panel, e.g. "GitLab issues".')
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(default=True)
    # Whose knowledge it is (issue 71): a ticket of another product is not offered its results. Asked in admin only
    # when the desk has several products.
    product = product_link("The product it knows about; empty: every product (desk-wide).", on_delete=models.CASCADE)
    base_url = models.CharField(
        "address",
        max_length=500,
        blank=True,
        help_text="GitLab: the instance (empty: the linked channel's, else https://gitlab.com). Discourse: the "
        "forum's address. Docs: the sitemap's URL (a sitemap index works too). GitHub, Stack Overflow: empty.",
    )
    project = models.CharField(
        max_length=200, blank=True, help_text="GitLab: the project's path (group/project) or id. GitHub: owner/repo."
    )
    tag = models.CharField(max_length=35, blank=True, help_text="Stack Overflow: our tag, e.g. gitlab-ci.")
    # {"token": ...} as Fernet ciphertext, the way channels keep credentials (channels.secrets). Admin never
    # shows it back.
    token_encrypted = models.TextField(blank=True, editable=False)
    channel = models.ForeignKey(
        "channels.Channel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "gitlab"},
        help_text="GitLab: search through this GitLab channel (its instance and access token).",
    )
    timeout_seconds = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(15)], help_text="The panel waits no longer."
    )
    cache_minutes = models.PositiveIntegerField(
        default=60, validators=[MaxValueValidator(7 * 24 * 60)], help_text="A search is asked again after this."
    )
    hourly_budget = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Searches per hour at most. Empty: the platform's default (see docs/answers.md).",
    )
    last_error = models.TextField(blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)

    @property
    def token(self) -> str:
        from channels.secrets import credentials_decrypt

        value = credentials_decrypt(self.token_encrypted).get("token", "")
        return value if isinstance(value, str) else ""

    @token.setter
    def token(self, value: str) -> None:
        from channels.secrets import credentials_encrypt

        self.token_encrypted = credentials_encrypt({"token": value} if value else {})

    @property
    def budget(self) -> int:
        """Searches per hour: the admin's figure, else the platform's default (answers.knowledge.budget)."""
        from answers.knowledge.budget import default_budget

        if self.hourly_budget is not None:
            return self.hourly_budget
        return default_budget(self.kind, has_token=bool(self.token_encrypted))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        url = self.base_url.strip()
        self.base_url = url.rstrip("/") if self.kind != self.Kind.DOCS else url
        self.project = self.project.strip().strip("/")
        self.tag = self.tag.strip().lower()
        if self.kind == self.Kind.DOCS:
            if not _http_url(url):
                errors["base_url"] = "The sitemap's address: an http(s) URL, e.g. https://docs.example.com/sitemap.xml."
        elif self.kind == self.Kind.DISCOURSE:
            if not _http_url(url) or urlsplit(url).path.rstrip("/").endswith(".json"):
                errors["base_url"] = "The forum's address, e.g. https://forum.example.com."
            elif self.token_encrypted and urlsplit(url).scheme != "https":
                errors["base_url"] = "With an API key the forum must be reached over https."
        elif self.kind == self.Kind.GITLAB_ISSUES:
            if url and urlsplit(url).scheme != "https":
                errors["base_url"] = "The GitLab instance over https (empty: the channel's, else gitlab.com)."
            projects = (self.channel.config or {}).get("projects", []) if self.channel_id and self.channel else []
            if not self.project and not projects:
                errors["project"] = "The project's path (group/project) or numeric id."
            elif self.project and not _GITLAB_PROJECT.fullmatch(self.project):
                errors["project"] = "A project path like gitlab-org/gitlab, or a numeric id."
        elif self.kind == self.Kind.GITHUB_ISSUES:
            if not _GITHUB_REPO.fullmatch(self.project):
                errors["project"] = "The repository as owner/repo, e.g. octocat/Hello-World."
        elif self.kind == self.Kind.STACKOVERFLOW and not _SO_TAG.fullmatch(self.tag):
            errors["tag"] = "Our tag on Stack Overflow, e.g. gitlab-ci."
        if self.channel_id and self.kind != self.Kind.GITLAB_ISSUES:
            errors["channel"] = "Only a GitLab issues source searches through a channel."
        if errors:
            raise ValidationError(errors)


def _http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)


class DocPage(models.Model):
    """A page of our docs as the docs source searches it: its title and main text, their stems
    (answers.terms), and the validators a conditional GET sends back. Kept by answers.knowledge.docs_index."""

    source = models.ForeignKey(KnowledgeSource, on_delete=models.CASCADE, related_name="pages")
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True, help_text="The first 5,000 characters of the page's main text.")
    title_terms = models.TextField(blank=True)
    terms = models.TextField(blank=True, help_text="Stems of the title and the text.")
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    gone = models.BooleanField(default=False, help_text="The page answered 404 or 410, or left the sitemap.")

    class Meta:
        ordering = ["source", "url"]
        constraints = [models.UniqueConstraint(fields=["source", "url"], name="docpage_unique_url")]
        indexes = [models.Index(fields=["source", "fetched_at"], name="docpage_fetched_idx")]

    def __str__(self) -> str:
        return self.title or self.url
