"""What bench/pages.py measures: one entry per desk page, panel and fragment, and the URLs it leaves out, with why.

tests/test_bench_coverage.py walks the desk's URL patterns and the registered ticket panels
(mentions.ticket_page.panels) and fails when one has neither an entry here nor a line in NOT_MEASURED, so a page added
without a benchmark shows.

An entry builds its URLs from `Sample`, ids found in the loaded database (bench/pages.py `sample()`): a list of
URLs the clients draw from, or "template#N" for a random id from 1 to N. Kinds:
- "page": a view as the browser loads it (the page, then what its HTML fires on load, recursively);
- "fragment": one htmx request (HX-Request), what opening a fold or a panel's own URL costs on its own.
This module imports nothing of Django: the coverage test reads it without a loaded database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

FLOOR_URL = "/tickets/0/"  # no ticket 0: the desk's 404 page, signed in
BARE_PATH = "/bench/bare/"  # bench/_bare_wsgi.py
MINIMAL_PATH = "/minimal/"  # bench/_minimal_project


@dataclass
class Sample:
    """Ids in the loaded database the entries' URLs use."""

    tickets: int = 1_000_000
    people: list[int] = field(default_factory=list)
    stories: list[int] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)


Urls = list[str] | str


@dataclass(frozen=True)
class Entry:
    url_name: str  # "namespace:name" as reversed, or "" for the references served beside the desk
    urls: Callable[[Sample], Urls]
    role: str = "advocate"  # advocate, manager, none (no session), minimal, minimal-cookie
    kind: str = "page"
    status: int = 200


def _ticket(suffix: str = "") -> Callable[[Sample], Urls]:
    return lambda s: "/tickets/{}/" + suffix + "#" + str(s.tickets)


def _fixed(*urls: str) -> Callable[[Sample], Urls]:
    return lambda s: list(urls)


def _people(suffix: str = "") -> Callable[[Sample], Urls]:
    return lambda s: [f"/people/{pk}/{suffix}" for pk in s.people] or ["/people/0/"]


def _stories(suffix: str = "") -> Callable[[Sample], Urls]:
    return lambda s: [f"/stories/{pk}/{suffix}" for pk in s.stories] or ["/stories/0/"]


def search_terms(vocab: list[str]) -> list[str]:
    words = ["gitlab", "pipeline", "runner", "docker", "kaniko", "trivy", vocab[-1], vocab[-200], vocab[2000]]
    return [f"/tickets/?q={quote(w)}" for w in [*words, '"merge request"']]


# The ticket page's panels, by slug (mentions.ticket_page.panels.panel_slug): each is also loaded by the ticket page's
# view.
PANELS = (
    "ticket_facts",
    "requester",
    "story_panel",
    "issue_panel",
    "answers",
    "outreach",
    "discount_code",
    "ticket_handover",
    "share",
)

ENTRIES: dict[str, Entry] = {
    "queue": Entry("mentions:queue", _fixed("/")),
    "tickets": Entry("mentions:tickets", _fixed("/tickets/")),
    "snoozed": Entry("mentions:snoozed", _fixed("/tickets/snoozed/")),
    # A view's own list (issue 68): the two views every install has (mentions migrations 0052 and 0056).
    "view": Entry("mentions:view", _fixed("/views/needs-response/", "/views/noise/")),
    "search": Entry("mentions:tickets", lambda s: s.searches),
    "ticket": Entry("mentions:ticket", _ticket()),
    "ticket-history": Entry("mentions:ticket-history", _ticket("history/"), kind="fragment"),
    **{f"panel-{slug}": Entry("mentions:ticket-panel", _ticket(f"panels/{slug}/"), kind="fragment") for slug in PANELS},
    "panels-later": Entry("mentions:ticket-panels-later", _ticket("later/"), kind="fragment"),
    # A closed menu or form opened (mentions.ticket_page.folds): Snooze, the one `z` opens; the others are alike.
    "ticket-fold": Entry("mentions:ticket-fold", _ticket("folds/snooze/"), kind="fragment"),
    "knowledge": Entry(
        "answers:knowledge", lambda s: "/answers/tickets/{}/knowledge/#" + str(s.tickets), kind="fragment"
    ),
    "answered-before": Entry(
        "answers:suggestions", lambda s: "/answers/tickets/{}/before/#" + str(s.tickets), kind="fragment"
    ),
    "kpi": Entry("metrics:dashboard", _fixed("/kpi/"), role="manager"),
    "kpi-monthly": Entry("metrics:monthly", _fixed("/kpi/monthly/"), role="manager"),
    "kpi-community": Entry("metrics:community", _fixed("/kpi/community/"), role="manager"),
    "kpi-community-check": Entry("metrics:community-check", _fixed("/kpi/community/check/"), role="manager"),
    "people": Entry("people:list", _fixed("/people/")),
    "people-search": Entry("people:list", _fixed("/people/?q=user12", "/people/?q=User%204711", "/people/?q=zz")),
    "person": Entry("people:person", _people()),
    "person-erase": Entry("people:erase", _people("erase/"), role="manager"),
    "gifts": Entry("people:gifts", _fixed("/people/gifts/"), role="manager"),
    "contributors": Entry("people:contributors", _fixed("/people/contributors/"), role="manager"),
    "recognition": Entry("people:recognition", _fixed("/people/recognition/"), role="manager"),
    "stories": Entry("stories:list", _fixed("/stories/")),
    "story": Entry("stories:detail", _stories()),
    "story-outcomes": Entry("stories:outcomes", _stories("outcomes/"), kind="fragment"),
    # The bench's sample links no issue yet: the page's frame answered as not found.
    "issue": Entry("stories:issue", _fixed("/stories/issues/0/"), status=404),
    "experts": Entry("experts:directory", _fixed("/experts/")),
    "tokens": Entry("api-tokens", _fixed("/tokens/")),
    "floor": Entry("mentions:ticket", _fixed(FLOOR_URL), status=404),
    "bare": Entry("", _fixed(BARE_PATH), role="none"),
    "minimal-db": Entry("", _fixed(MINIMAL_PATH), role="minimal"),
    "minimal-cookie": Entry("", _fixed(MINIMAL_PATH), role="minimal-cookie"),
}

# Measured in a run without --pages: the references first (each row's ratio is to bare), then the desk's.
REFERENCES = ("bare", "minimal-db", "minimal-cookie", "floor")
DEFAULT_ORDER = [*REFERENCES, *(name for name in ENTRIES if name not in REFERENCES)]

# URL names left out of the bench, with why. POST-only ones are checked to answer GET with 405.
POST_ONLY = "POST-only: an action, not a page"
NOT_MEASURED: dict[str, str] = {
    **dict.fromkeys(
        (
            "mentions:tickets-bulk",
            "mentions:saved-search-create",
            "mentions:saved-search-delete",
            "mentions:play",
            "mentions:ticket-note",
            "mentions:ticket-reply",
            "mentions:ticket-send",
            "mentions:ticket-approval",
            "mentions:ticket-status",
            "mentions:ticket-macro",
            "mentions:ticket-skip",
            "mentions:ticket-release",
            "mentions:ticket-presence",
            "mentions:ticket-assign",
            "mentions:ticket-priority",
            "mentions:ticket-tags",
            "mentions:ticket-merge",
            "mentions:ticket-judgement",
            "mentions:ticket-product",
            "mentions:ticket-not-noise",
            "mentions:team-draft-use",
            "mentions:team-draft-dismiss",
            "mentions:ticket-community-close",
            "mentions:ticket-like",
            "mentions:ticket-delete-post",
            "mentions:ticket-repost",
            "mentions:ticket-direct-message",
            "mentions:ticket-snooze",
            "mentions:ticket-hand-over",
            "answers:use",
            "answers:dismiss",
            "answers:saved-insert",
            "experts:ticket-outreach",
            "experts:ticket-outreach-decline",
            "notifications:ticket-share",
            "people:edit",
            "people:tag-add",
            "people:tag-remove",
            "people:likeness-confirm",
            "people:likeness-dismiss",
            "people:merge",
            "people:split",
            "people:contribution-add",
            "people:gift-add",
            "people:gift-state",
            "people:code-give",
            "people:recognition-decide",
            "people:ticket-code-give",
            "people:export",
            "stories:rename",
            "stories:state",
            "stories:move-in",
            "stories:move-out",
            "stories:merge",
            "stories:answer",
            "stories:send",
            "stories:mark",
            "stories:insert",
            "stories:story-issue",
            "stories:ticket-issue",
            "stories:issue-send",
            "api-token-revoke",
        ),
        POST_ONLY,
    ),
    "mentions:ticket-live": "the ticket page's live poll: measured as that page's poll (CPU per minute of an open tab)",
    "metrics:export": "a CSV download linked from the KPI page, not a page a browser renders",
    "people:contributors-csv": "a CSV download linked from the contributors page, not a page a browser renders",
    "channels:account-connect": "staff only, from a channel's admin form: a redirect to the platform's sign-in",
    "channels:account-callback": "the platform's redirect back after its sign-in: needs a live OAuth flow",
    "channels:account-channel-key": "staff only, a confirmation reached from a channel's admin form (admin side)",
    "slackapp:events": "Slack's signed callbacks, not a browser's page",
    "slackapp:interactions": "Slack's signed callbacks, not a browser's page",
    "webhook": "an inbound webhook for platforms, not a browser's page",
    "csp-report": "the browser's Content-Security-Policy reports, POSTed by the browser",
}
# Whole URL prefixes outside the desk's pages (the brief of issue 41): the API, Django admin, sign-in, health.
EXCLUDED_PREFIXES = ("api/", "admin/", "accounts/", "health/", "static/")
