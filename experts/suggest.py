"""Which experts to ask about a ticket: match the mention's words against area keywords and expert topics.

Text and terms are cut into words on anything that is not a letter or a digit, and each word is reduced to a
rough stem ("pipelines" → "pipelin", "caching"/"cache" → "cach"). A term matches when its stems appear as
consecutive words of the text, so "ci" never matches inside "specific", "gitlab-ci" matches "GitLab CI" and
"merge requests" matches "merge request".
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from advocacy.versioned import version_bump, versioned
from experts.models import Expert, ExpertIdentity, Outreach
from mentions.models import Message, Ticket
from mentions.products import desk_products

TOPIC_WEIGHT = 3.0  # a topic is personal: it says more than the area the expert belongs to
AREA_KEYWORD_WEIGHT = 1.0
PHRASE_BONUS = 0.5  # per extra word: "merge request" is more telling than "merge"
LOAD_BONUS = 0.5  # at most; shrinks with each outreach the expert has not answered yet
# Track record (issue 44), from the expert's outreaches sent in the last RECORD_DAYS: answer rate = answered / asked
# (asked: sent, merged ones left out) and the median answer time of the answered ones. The score adds
#   RATE_WEIGHT * (answered + 1) / (asked + 2)  (a rate pulled towards ½ while there are few asks: never asked = ½)
#   + SPEED_WEIGHT * SPEED_HOURS / (SPEED_HOURS + median hours)  (0 while nothing was answered)
# so among experts who know the subject equally, the one who answers, and answers soon, is asked first; a match on
# a topic (3) still outweighs any track record (at most 1.5 + 0.5).
RATE_WEIGHT = 1.5
SPEED_WEIGHT = 0.5
SPEED_HOURS = 24.0
RECORD_DAYS = 365
OPEN_STATUSES = (Outreach.Status.PENDING, Outreach.Status.SENT)

_WORD = re.compile(r"[^\W_]+")
_SUFFIXES = ("ing", "es", "ed", "s", "e")


@dataclass
class Suggestion:
    expert: Expert
    score: float
    reasons: list[str] = field(default_factory=list)
    # The same matches in words, for people: what the expert knows and the ticket's words that
    # showed it, e.g. [("Verify", ["pipelines", "CI"]), ("topics", ["runner"])].
    knows: list[tuple[str, list[str]]] = field(default_factory=list)
    # The track record shown beside the expert: outreaches sent, answered, and the median seconds to answer.
    asked: int = 0
    answered: int = 0
    median_answer_seconds: int | None = None

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(_stem(m.group()), m.start(), m.end()) for m in _WORD.finditer(text.lower())]


def _term_key(term: str) -> tuple[str, ...]:
    return tuple(stem for stem, _, _ in _words(term))


class _Text:
    """The ticket's text, indexed by word sequences up to `max_len` words long."""

    def __init__(self, text: str, max_len: int) -> None:
        self.text = text.lower()
        words = _words(text)
        self.found: dict[tuple[str, ...], str] = {}
        for n in range(1, max_len + 1):
            for i in range(len(words) - n + 1):
                key = tuple(stem for stem, _, _ in words[i : i + n])
                # Keep the first place it occurs, as it was written, for the reason shown to the advocate.
                self.found.setdefault(key, self.text[words[i][1] : words[i + n - 1][2]])

    def match(self, term: str) -> str | None:
        key = _term_key(term)
        return self.found.get(key) if key else None


def ticket_text(*, ticket: Ticket) -> str:
    """Subject plus the inbound messages (titles and bodies): what the requester wrote. Uses the
    conversation the ticket page prefetched (no extra query)."""
    prefetched = getattr(ticket, "_prefetched_objects_cache", {}).get("messages")
    rows: Iterable[tuple[str, str]]
    if prefetched is not None:
        rows = [(m.title, m.body) for m in prefetched if m.kind == Message.Kind.INBOUND]
    else:
        rows = Message.objects.filter(ticket=ticket, kind=Message.Kind.INBOUND).values_list("title", "body")
    return "\n".join([ticket.subject, *(part for row in rows for part in row if part)])


def _identities() -> Prefetch:
    return Prefetch("identities", queryset=ExpertIdentity.objects.order_by("kind", "handle"))


DIRECTORY_VERSION_KEY = "experts:directory:version"


def directory_changed(**kwargs: object) -> None:
    """Signal handler (apps.py): an expert, their areas, identities or an area changed. The macro picker
    lists the directory's experts for "Reached out to expert", so the macros' summaries go too."""
    from mentions.selectors import macros_changed

    version_bump(DIRECTORY_VERSION_KEY)
    macros_changed()


def _directory() -> list[Expert]:
    """The active experts with their areas and identities: read by every ticket page, changed a
    few times a month, so kept per version in each process (advocacy.versioned)."""

    def build() -> list[Expert]:
        return list(Expert.objects.filter(active=True).prefetch_related("areas", _identities()).order_by("name", "pk"))

    return versioned(DIRECTORY_VERSION_KEY, "active", build, ttl=3600)


def _coverage() -> dict[int, frozenset[int]]:
    """{expert id: the products they answer for} for the experts who named some (none named: all products), kept
    with the directory; read only while the desk has several products (issue 71)."""

    def build() -> dict[int, frozenset[int]]:
        covered: dict[int, set[int]] = {}
        for expert_id, product_id in Expert.products.through.objects.values_list("expert_id", "productprofile_id"):
            covered.setdefault(expert_id, set()).add(product_id)
        return {pk: frozenset(ids) for pk, ids in covered.items()}

    return versioned(DIRECTORY_VERSION_KEY, "products", build, ttl=3600)


def experts_for_product(experts: list[Expert], product_id: int | None) -> list[Expert]:
    """The experts who answer for a ticket of this product (its empty one is the desk's first): those who named it,
    and those who named none. With one product, everyone."""
    products = desk_products()
    if not products.many:
        return experts
    product = product_id if product_id is not None else products.default_id
    covered = _coverage()
    return [e for e in experts if product in covered.get(e.pk, (product,))]


def experts_active() -> list[Expert]:
    """The active experts by name, from this process's copy: no query while the directory is unchanged."""
    return _directory()


def _score(expert: Expert, text: _Text) -> tuple[float, list[str], list[tuple[str, list[str]]]]:
    score = 0.0
    reasons: list[str] = []
    knows: dict[str, list[str]] = {}
    seen: set[tuple[str, tuple[str, ...]]] = set()  # "pipeline" and "pipelines" count once per source

    def add(term: str, source: str, weight: float, label: str) -> None:
        nonlocal score
        key = _term_key(term)
        matched = text.match(term)
        if matched is None or (source, key) in seen:
            return
        seen.add((source, key))
        score += weight * (1 + PHRASE_BONUS * (len(key) - 1))
        reasons.append(f"'{matched}' → {label}")
        words = knows.setdefault("topics" if source == "topic" else label, [])
        if matched not in words:
            words.append(matched)

    for topic in expert.topics or []:
        if isinstance(topic, str):
            add(topic, "topic", TOPIC_WEIGHT, f"topic {topic}")
    for area in expert.areas.all():
        for keyword in area.keywords or []:
            if isinstance(keyword, str):
                add(keyword, f"area {area.pk}", AREA_KEYWORD_WEIGHT, area.name)
    return score, reasons, list(knows.items())


@dataclass
class _Record:
    asked: int = 0
    answered: int = 0
    waiting: int = 0
    seconds: list[int] = field(default_factory=list)

    @property
    def median(self) -> int | None:
        return int(statistics.median(self.seconds)) if self.seconds else None

    def bonus(self) -> float:
        rate = RATE_WEIGHT * (self.answered + 1) / (self.asked + 2)
        median = self.median
        speed = 0.0 if median is None else SPEED_WEIGHT * SPEED_HOURS / (SPEED_HOURS + median / 3600)
        return LOAD_BONUS / (1 + self.waiting) + rate + speed


def _records(expert_ids: list[int]) -> dict[int, _Record]:
    """Each expert's outreaches of the last RECORD_DAYS, in one query."""
    since = timezone.now() - timedelta(days=RECORD_DAYS)
    records: dict[int, _Record] = {pk: _Record() for pk in expert_ids}
    rows = (
        Outreach.objects.filter(expert_id__in=expert_ids, sent_at__gte=since)
        .exclude(status=Outreach.Status.MERGED)
        .values_list("expert_id", "status", "answer_seconds")
    )
    for expert_id, status, seconds in rows:
        record = records[expert_id]
        record.asked += 1
        record.waiting += status == Outreach.Status.SENT
        if status == Outreach.Status.ANSWERED:
            record.answered += 1
            if seconds is not None:
                record.seconds.append(seconds)
    return records


def experts_suggest(
    *, ticket: Ticket, outreaches: list[Outreach] | None = None, limit: int = 5, exclude_asked: bool = False
) -> list[Suggestion]:
    """The experts whose topics or areas the ticket's words point at, best first (score, then name).

    Inactive experts and experts with an open outreach on this ticket (`outreaches`: the ticket's,
    when the caller has them) are left out; with `exclude_asked`, everyone this ticket asked already
    (the "ask next" offer); with several products, those who answer for other products only (issue 71).
    Among equal matches the expert with the better track record (answer rate, median answer time:
    RATE_WEIGHT above) and fewer unanswered outreaches comes first. The directory comes from memory;
    one query reads the matching experts' outreaches, none when nobody matches.
    """
    if outreaches is None:
        outreaches = list(Outreach.objects.filter(ticket=ticket))
    asked = {o.expert_id for o in outreaches if exclude_asked or o.status in OPEN_STATUSES}
    experts = [e for e in experts_for_product(_directory(), ticket.product_id) if e.pk not in asked]
    terms = [t for e in experts for t in (e.topics or [])]
    terms += [k for e in experts for a in e.areas.all() for k in (a.keywords or [])]
    max_len = max((len(_term_key(t)) for t in terms if isinstance(t, str)), default=1)
    text = _Text(ticket_text(ticket=ticket), max_len=max_len)

    scored = [(expert, *_score(expert, text)) for expert in experts]
    scored = [(expert, score, reasons, knows) for expert, score, reasons, knows in scored if score > 0]
    if not scored:
        return []
    records = _records([e.pk for e, _s, _r, _k in scored])
    suggestions = [
        Suggestion(
            expert=expert,
            score=round(score + (record := records[expert.pk]).bonus(), 3),
            reasons=reasons,
            knows=knows,
            asked=record.asked,
            answered=record.answered,
            median_answer_seconds=record.median,
        )
        for expert, score, reasons, knows in scored
    ]
    suggestions.sort(key=lambda s: (-s.score, s.expert.name.lower(), s.expert.pk))
    return suggestions[:limit]


def experts_search(*, q: str, include_inactive: bool = False) -> QuerySet[Expert]:
    """Anyone else: name, Slack handle, topic or area name containing `q` (case-insensitive)."""
    qs = Expert.objects.all() if include_inactive else Expert.objects.filter(active=True)
    q = q.strip()
    if q:
        matching_area = Expert.areas.through.objects.filter(expert_id=OuterRef("pk"), productarea__name__icontains=q)
        qs = qs.filter(
            Q(name__icontains=q) | Q(slack_handle__icontains=q) | Q(topics__icontains=q) | Exists(matching_area)
        )
    return qs.prefetch_related("areas", _identities()).order_by("name", "pk")
