"""The team's own language model (issue 56, item 6; docs/team-model.md): an OpenAI-compatible chat endpoint the
admin configures (Ollama, vLLM, a llama.cpp server, a hosted API), called by the worker only (mentions.assistant)
to judge the mentions the desk is unsure of, to draft a reply and to summarise a long thread.

Three tables: the endpoint (one row, like ProductProfile: the first is used), the requests counted per UTC day
(the daily budget), and what the model wrote for a ticket (one row per ticket, read with the ticket page's own
query: mentions.selectors.ticket_detail)."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from advocacy.fetch_guard import address_refusal
from advocacy.model_bases import Stamped

DEFAULT_TIMEOUT_SECONDS = 20
DEFAULT_DAILY_BUDGET = 500
# The kinds of address (advocacy.fetch_guard.address_refusal's words) the configured endpoint's own host may have,
# which the fetch guard refuses to every other fetch: this host, the team's network, carrier-grade NAT. Never a
# link-local one (cloud metadata services), multicast, reserved or unspecified.
OWN_NETWORK_KINDS = ("loopback ", "private ", "shared ")
# The demo's endpoint (`make run`, seed_demo): a replay on this machine (mentions.assistant.demo), never a language
# model. Its host is under .invalid (RFC 2606), which no resolver answers: without DESK_DEMO_REPLAY it reaches
# nothing. What it wrote carries DEMO_MODEL as its model's name, so the pages say it came from the demo.
DEMO_BASE_URL = "https://team-model.demo.invalid/v1"
DEMO_MODEL = "demo-replay"


def base_url_refusal(url: str) -> str | None:
    """Why the desk would not use `url` as the endpoint's base, in words for the admin's form; None when it would.
    A name is resolved only when the worker connects (the client checks its addresses then)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "An http(s) address, e.g. http://127.0.0.1:11434/v1."
    if "@" in parts.netloc or "\\" in url or any(c.isspace() for c in url):
        return "No user name, password, backslash or space in the address: the API key has its own field."
    if parts.query or parts.fragment:
        return "The API's base only (…/v1), without a query or a fragment."
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return None
    refusal = address_refusal(address)
    if refusal and not refusal.startswith(OWN_NETWORK_KINDS):
        return f"The desk never connects to a {refusal}."
    return None


class TeamModelEndpoint(Stamped):
    enabled = models.BooleanField(
        default=False, help_text="Off: nothing is sent anywhere; the desk's own judgement stands alone."
    )
    base_url = models.CharField(
        "base URL",
        max_length=500,
        help_text="The OpenAI-compatible API's base, ending in /v1: the desk posts to <base URL>/chat/completions. "
        "Ollama: http://127.0.0.1:11434/v1; llama.cpp's server: http://127.0.0.1:8080/v1; vLLM: "
        "http://127.0.0.1:8000/v1.",
    )
    model = models.CharField(
        max_length=200, help_text="The model's name as the endpoint knows it (llama3.1:8b, qwen2.5:7b-instruct…)."
    )
    # {"api_key": ...} as Fernet ciphertext, the way channels keep credentials (channels.secrets). Admin shows only
    # whether it is set; it is never logged, rendered or put in an error.
    api_key_encrypted = models.TextField(blank=True, editable=False)
    timeout_seconds = models.PositiveSmallIntegerField(
        default=DEFAULT_TIMEOUT_SECONDS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="One request's whole exchange (connect, the answer, every streamed part) is cut after this.",
    )
    daily_budget = models.PositiveIntegerField(
        default=DEFAULT_DAILY_BUDGET,
        help_text="Requests per UTC day at most. Past it nothing is sent until midnight UTC: the desk's own "
        "judgement stands, no draft or summary is written.",
    )
    stream = models.BooleanField(
        default=False,
        help_text="Ask for the answer as server-sent events (some proxies cut a long silent request).",
    )
    judge_unsure = models.BooleanField(
        "judge what the desk is unsure of", default=True, help_text="The mentions the desk's own model is unsure of."
    )
    drafts = models.BooleanField(
        "draft replies",
        default=True,
        help_text="A draft for a ticket that needs a response, shown in the composer to edit; never sent by itself.",
    )
    summaries = models.BooleanField(
        "summarise long threads", default=True, help_text="A summary of at most 5 lines at the top of a long thread."
    )
    opted_out_channels = models.ManyToManyField(
        "channels.Channel",
        blank=True,
        related_name="+",
        help_text="Nothing of these channels' tickets leaves the desk: no judgement, draft or summary by the model.",
    )
    test_result = models.CharField(max_length=300, blank=True, editable=False)
    tested_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=300, blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The endpoint answered 429: nothing is asked before this time (its Retry-After, at most an hour).
    paused_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The summaries' beat reads the messages after this id (mentions.assistant.summary).
    summaries_after = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "Team model"
        verbose_name_plural = "Team model"

    def __str__(self) -> str:
        if self.is_demo:
            return "The demo's model (a replay on this machine, not a language model)"
        return f"{self.model} at {self.base_url}"

    @property
    def is_demo(self) -> bool:
        return self.base_url.rstrip("/") == DEMO_BASE_URL

    def clean(self) -> None:
        self.base_url = self.base_url.strip().rstrip("/")
        self.model = self.model.strip()
        if refusal := base_url_refusal(self.base_url):
            raise ValidationError({"base_url": refusal})

    @property
    def api_key(self) -> str:
        from channels.secrets import credentials_decrypt

        value = credentials_decrypt(self.api_key_encrypted).get("api_key", "")
        return value if isinstance(value, str) else ""

    @api_key.setter
    def api_key(self, value: str) -> None:
        from channels.secrets import credentials_encrypt

        self.api_key_encrypted = credentials_encrypt({"api_key": value} if value else {})


class TeamModelUsage(Stamped):
    """The team model's requests on one UTC day: each request is counted, against the budget, by one atomic UPDATE
    before it is sent (mentions.assistant.usage)."""

    day = models.DateField(unique=True)
    requests = models.PositiveIntegerField(default=0, help_text="Requests sent (each counted before it is sent).")
    failures = models.PositiveIntegerField(default=0, help_text="Requests that failed (timeout, error, bad answer).")
    rate_limited = models.PositiveIntegerField(default=0, help_text="Requests the endpoint answered 429.")
    over_budget = models.PositiveIntegerField(default=0, help_text="Requests not sent: the day's budget was spent.")
    over_budget_logged = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = "Team model usage"
        verbose_name_plural = "Team model usage"
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.requests} requests"


class TeamModelOutput(Stamped):
    """What the team model wrote for one ticket: a draft reply (shown in the composer to edit, never sent by
    itself) and a summary of a long thread. Made of the thread's words, so erasing a person deletes the rows of
    their tickets (people.privacy)."""

    ticket = models.OneToOneField(
        "mentions.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="team_output"
    )
    draft = models.TextField(blank=True)
    draft_model = models.CharField(max_length=200, blank=True, help_text="The model that wrote the draft.")
    # The newest inbound message the draft answers: a draft is written once per question asked.
    draft_message_id = models.PositiveBigIntegerField(null=True, blank=True)
    draft_at = models.DateTimeField(null=True, blank=True)
    draft_dismissed_at = models.DateTimeField(null=True, blank=True)
    draft_dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField(blank=True)
    summary_model = models.CharField(max_length=200, blank=True)
    summary_messages = models.PositiveIntegerField(default=0, help_text="The thread's messages the summary read.")
    # The thread's size at the last attempt, whatever came of it: tried again only once the thread grows.
    summary_tried = models.PositiveIntegerField(default=0)
    summary_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Team model output"
        verbose_name_plural = "Team model outputs"

    def __str__(self) -> str:
        return f"team model output of ticket {self.ticket_id}"

    @property
    def draft_shown(self) -> bool:
        return bool(self.draft.strip()) and self.draft_dismissed_at is None

    @property
    def draft_demo(self) -> bool:
        """Written by the demo's replay (DEMO_MODEL): the composer says so."""
        return self.draft_model == DEMO_MODEL

    @property
    def summary_demo(self) -> bool:
        return self.summary_model == DEMO_MODEL
