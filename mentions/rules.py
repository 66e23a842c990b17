"""Triage rules compiled for matching: conditions on a new ticket's first mention.

No database access here. `mentions.services.rules` loads the enabled rules once per ingest
batch, compiles them with `rule_compile` and applies what a `RuleSet` reports as matching.

Keyword matching is whole-word and case-insensitive, but not with `\\b`: `\\b#tag` needs a
word character before the `#`, so it misses "#movingtogitlab" at the start of a tweet. A
keyword matches where it is neither preceded nor followed by a letter, digit or underscore,
so "gitlab" also finds "#GitLab", "@gitlab" and "GitLab's", "#movingtogitlab" finds the
hashtag only, and "down" never finds "download". A `*` stands for any letters ("spam*").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

# Longer texts are matched on their beginning: Python's re has no timeout, so this bounds
# the time one mention can take even with an unlucky regular expression.
MAX_TEXT = 20_000
MAX_KEYWORD = 200
MAX_REGEX = 2_000

_MENTION = re.compile(r"(?<![\w@])@(\w{1,50})")
_LINK = re.compile(r"(?<!\w)(?:https?://|www\.)\S", re.IGNORECASE)


class RuleCompileError(ValueError):
    """The rule's text conditions cannot be turned into a pattern; the message says why."""


def _keyword_regex(keyword: str) -> str:
    tokens = keyword.split()
    if not tokens or not keyword.replace("*", "").strip():
        raise RuleCompileError(f"{keyword!r} has nothing to look for.")
    if len(keyword) > MAX_KEYWORD:
        raise RuleCompileError(f"{keyword[:40]!r}… is longer than {MAX_KEYWORD} characters.")
    return r"\s+".join(r"\w*".join(re.escape(piece) for piece in token.split("*")) for token in tokens)


def keywords_pattern(keywords: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern finding any of `keywords` as whole words (see the module docstring)."""
    alternatives = [_keyword_regex(k.strip()) for k in keywords if k.strip()]
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def regex_compile(text: str) -> re.Pattern[str] | None:
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_REGEX:
        raise RuleCompileError(f"The regular expression is longer than {MAX_REGEX} characters.")
    try:
        return re.compile(text, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError, ValueError) as exc:
        raise RuleCompileError(f"Not a valid regular expression: {exc}.") from exc


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def handle_key(value: str) -> str:
    """How an author's handle is compared everywhere the desk asks "is this them?" (rules, our accounts, the
    team): without spaces or a leading "@", case-folded."""
    return (value or "").strip().lstrip("@").casefold()


@dataclass(frozen=True)
class MentionFacts:
    """What rules look at: the first inbound message of a ticket and its channel."""

    channel_id: int
    channel_kind: str
    text: str
    author: str
    mentioned: frozenset[str]
    has_link: bool
    # The tags of the author's person (the people app tells the ingest; empty where nobody told).
    author_tags: frozenset[str] = frozenset()
    # The desk's judgement of the ticket: "" at intake (the worker judges after the ingest's commit), set when
    # mentions.services.judgement_rules runs the rules that wait for it.
    judgement: str = ""
    intent: str = ""
    sentiment: str = ""
    # The author's person's weight (largest audience: followers, karma, reputation); None when not known.
    author_audience: int | None = None
    # The order of the author's person's level (people.journey); None when not known.
    author_level: int | None = None
    # The ticket's product (its empty one read as the desk's first by the caller); None: the desk has none.
    product_id: int | None = None


def mention_facts(
    *,
    channel_id: int,
    channel_kind: str,
    title: str,
    body: str,
    author_handle: str,
    mentioned: Iterable[str] = (),
    author_tags: Iterable[str] = (),
    judged: tuple[str, str, str] = ("", "", ""),
    author_audience: int | None = None,
    author_level: int | None = None,
    product_id: int | None = None,
) -> MentionFacts:
    """Facts from a stored (or about to be stored) message: title + body, the author, the
    @handles it names (in the text, or as the platform listed them: `Message.mentioned`),
    whether it has a link; `judged`: the ticket's (judgement, intent, sentiment) once the desk judged it."""
    text = (f"{title}\n{body}" if title else body or "")[:MAX_TEXT]
    handles = {m.casefold() for m in _MENTION.findall(text)}
    handles.update(handle_key(m) for m in mentioned or () if isinstance(m, str))
    has_link = bool(_LINK.search(text))
    return MentionFacts(
        channel_id=channel_id,
        channel_kind=channel_kind,
        text=text,
        author=handle_key(author_handle or ""),
        mentioned=frozenset(handles),
        has_link=has_link,
        author_tags=frozenset(author_tags),
        judgement=judged[0],
        intent=judged[1],
        sentiment=judged[2],
        author_audience=author_audience,
        author_level=author_level,
        product_id=product_id,
    )


@dataclass(frozen=True)
class RuleActions:
    tags: tuple[str, ...] = ()
    priority: str = ""
    macro_name: str = ""
    macro_actions: tuple[tuple[str, str], ...] = ()  # (MacroAction kind, value), in order
    reply_template: str = ""
    reply_from: str = ""
    notify_slack: str = ""
    close: bool = False

    def describe(self) -> list[str]:
        """Short, stable words for the history and the dry-run page."""
        out = []
        if self.tags:
            out.append("tags: " + " ".join(self.tags))
        if self.priority:
            out.append(f"priority: {self.priority}")
        if self.macro_name:
            out.append(f"macro: {self.macro_name}")
        if self.reply_template:
            out.append("reply suggested")
        if self.reply_from:
            out.append(f"respond from: {self.reply_from} handle")
        if self.notify_slack:
            out.append(f"notify: {self.notify_slack}")
        if self.close:
            out.append("closed without reply (not acknowledged)")
        return out


@dataclass(frozen=True)
class CompiledRule:
    id: int | None
    name: str
    stop: bool
    kinds: frozenset[str]
    channel_ids: frozenset[int]
    keywords: re.Pattern[str] | None
    regex: re.Pattern[str] | None
    excludes: re.Pattern[str] | None
    authors: frozenset[str]
    handles: frozenset[str]
    link: str
    actions: RuleActions
    author_tags: frozenset[str] = frozenset()
    author_audience_min: int | None = None
    requester_level_min: int | None = None
    keyword_list: tuple[str, ...] = ()  # as written, for the rule set's automaton
    exclude_list: tuple[str, ...] = ()
    judgements: frozenset[str] = frozenset()
    intents: frozenset[str] = frozenset()
    sentiments: frozenset[str] = frozenset()
    product_ids: frozenset[int] = frozenset()

    @property
    def on_judgement(self) -> bool:
        """Whether the rule waits for the desk's judgement: it never matches at intake (nothing is judged yet)."""
        return bool(self.judgements or self.intents or self.sentiments)

    def matches(
        self, facts: MentionFacts, *, keywords_found: bool | None = None, excludes_found: bool | None = None
    ) -> bool:
        """Whether the rule matches; `keywords_found` / `excludes_found`, when given, are the
        rule set's automaton's exact answer for this text, in place of the patterns."""
        # Cheap checks first, patterns last.
        if self.kinds and facts.channel_kind not in self.kinds:
            return False
        if self.channel_ids and facts.channel_id not in self.channel_ids:
            return False
        if self.product_ids and facts.product_id not in self.product_ids:
            return False
        if self.link == "present" and not facts.has_link:
            return False
        if self.link == "absent" and facts.has_link:
            return False
        if self.authors and facts.author not in self.authors:
            return False
        if self.handles and not (self.handles & facts.mentioned):
            return False
        if self.author_tags and not (self.author_tags & facts.author_tags):
            return False
        if self.judgements and facts.judgement not in self.judgements:
            return False
        if self.intents and facts.intent not in self.intents:
            return False
        if self.sentiments and facts.sentiment not in self.sentiments:
            return False
        if self.author_audience_min is not None and (
            facts.author_audience is None or facts.author_audience < self.author_audience_min
        ):
            return False  # an unknown audience is not a large one
        if self.requester_level_min is not None and (
            facts.author_level is None or facts.author_level < self.requester_level_min
        ):
            return False
        if self.keywords is not None:
            found = keywords_found if keywords_found is not None else self.keywords.search(facts.text)
            if not found:
                return False
        if self.regex is not None and not self.regex.search(facts.text):
            return False
        if self.excludes is None:
            return True
        return not (excludes_found if excludes_found is not None else self.excludes.search(facts.text))


def rule_compile(
    rule: Any,
    *,
    channel_ids: Iterable[int] = (),
    macro_actions: Iterable[tuple[str, str]] = (),
    product_ids: Iterable[int] = (),
) -> CompiledRule:
    """A `mentions.models.Rule` (saved or not) plus its channels, products and macro actions, which the
    caller passes so that this never queries. Raises RuleCompileError for a bad pattern."""
    kinds = rule.channel_kinds
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise RuleCompileError(f"channel_kinds must be a list of kinds, not {kinds!r}.")
    return CompiledRule(
        id=rule.pk,
        name=rule.name,
        stop=bool(rule.stop_processing),
        kinds=frozenset(kinds),
        channel_ids=frozenset(channel_ids),
        product_ids=frozenset(product_ids),
        keywords=keywords_pattern(lines(rule.text_keywords)),
        keyword_list=tuple(lines(rule.text_keywords)),
        exclude_list=tuple(lines(rule.text_excludes)),
        regex=regex_compile(rule.text_regex),
        excludes=keywords_pattern(lines(rule.text_excludes)),
        authors=frozenset(handle_key(a) for a in lines(rule.authors)),
        handles=frozenset(handle_key(h) for h in lines(rule.handles_mentioned)),
        link=rule.link or "",
        author_tags=frozenset(t.casefold() for t in lines(rule.author_tags)),
        judgements=_choices(getattr(rule, "judgements", None)),
        intents=_choices(getattr(rule, "intents", None)),
        sentiments=_choices(getattr(rule, "sentiments", None)),
        author_audience_min=rule.author_audience_min,
        requester_level_min=getattr(rule, "requester_level_min", None),
        actions=RuleActions(
            tags=tuple(dict.fromkeys(rule.add_tags.split())),
            priority=rule.set_priority or "",
            macro_name=rule.macro.name if rule.macro_id else "",
            macro_actions=tuple(macro_actions),
            reply_template=rule.reply_template.strip(),
            reply_from=rule.reply_from or "",
            notify_slack=rule.notify_slack.strip(),
            close=bool(rule.close_without_reply),
        ),
    )


def _choices(value: Any) -> frozenset[str]:
    """A rule's list of judgement (intent, sentiment) values; anything else (stored around validation) as none."""
    if not isinstance(value, list):
        return frozenset()
    return frozenset(v for v in value if isinstance(v, str) and v)


def _plain(keyword: str) -> tuple[str, bool, bool] | None:
    """A keyword the automaton decides exactly: (lowercased text with single spaces, whether a
    word boundary is needed before it, after it). None for what only the pattern can decide:
    a `*` inside the keyword or next to a space, or a character beyond ASCII (Unicode case
    folding would differ from lower())."""
    text = " ".join(keyword.split())
    if not text.isascii():
        return None
    core = text.strip("*")
    if not core or "*" in core or core[0] == " " or core[-1] == " ":
        return None
    return core.lower(), not text.startswith("*"), not text.endswith("*")


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # ASCII only here: exactly re's \w


class KeywordAutomaton:
    """Every keyword of a rule set in one Aho-Corasick automaton (pyahocorasick): one pass over
    a mention's text, in C, finds which rules' keywords and excludes it holds, instead of one
    regular expression per rule and field. Exact, the same answer as the patterns: used for
    ASCII texts (lowercased, whitespace runs as one space, which is what \\s+ between words
    allows) and for the rule fields whose every keyword is plain (see `_plain`); anything else
    is left to the patterns."""

    def __init__(self, rules: list[CompiledRule]) -> None:
        import ahocorasick

        self.decided: set[tuple[int, str]] = set()
        entries: dict[str, list[tuple[int, str, bool, bool]]] = {}
        for index, rule in enumerate(rules):
            for field_name, keywords in (("keywords", rule.keyword_list), ("excludes", rule.exclude_list)):
                plain = [p for k in keywords if (p := _plain(k)) is not None]
                if not plain or len(plain) < len(keywords):  # empty, or one only the pattern decides
                    continue
                self.decided.add((index, field_name))
                for core, left, right in plain:
                    entries.setdefault(core, []).append((index, field_name, left, right))
        self.automaton = None
        if entries:
            automaton = ahocorasick.Automaton()
            for core, found in entries.items():
                automaton.add_word(core, (len(core), found))
            automaton.make_automaton()
            self.automaton = automaton

    def found(self, text: str) -> set[tuple[int, str]] | None:
        """(rule index, field) of the keywords present in `text`; None: not decided here."""
        if self.automaton is None or not text.isascii():
            return None
        norm = " ".join(text.lower().split())
        last = len(norm) - 1
        hits: set[tuple[int, str]] = set()
        for end, (length, entries) in self.automaton.iter(norm):
            start = end - length + 1
            free_before = start == 0 or not _word_char(norm[start - 1])
            free_after = end == last or not _word_char(norm[end + 1])
            for index, field_name, left, right in entries:
                if (free_before or not left) and (free_after or not right):
                    hits.add((index, field_name))
        return hits


@dataclass
class RuleSet:
    """The rules of one batch, in order. A rule that raises while matching is logged once
    (with the rule and the ticket it failed on) and skipped for the rest of the batch: a
    broken rule never stops ingestion. Keywords are looked up by the set's automaton."""

    rules: list[CompiledRule]
    broken: dict[int | None, str] = field(default_factory=dict)
    automaton: KeywordAutomaton = field(init=False)

    def __post_init__(self) -> None:
        self.automaton = KeywordAutomaton(self.rules)

    def match(self, facts: MentionFacts, *, where: str = "") -> list[CompiledRule]:
        matched: list[CompiledRule] = []
        found = self.automaton.found(facts.text)
        decided = self.automaton.decided
        for index, rule in enumerate(self.rules):
            if rule.id in self.broken:
                continue
            keywords = excludes = None
            if found is not None:
                if (index, "keywords") in decided:
                    keywords = (index, "keywords") in found
                if (index, "excludes") in decided:
                    excludes = (index, "excludes") in found
            try:
                hit = rule.matches(facts, keywords_found=keywords, excludes_found=excludes)
            except Exception as exc:  # any failure of one rule must not stop ingestion
                self.broken[rule.id] = f"{exc.__class__.__name__}: {exc}"
                logger.exception("rules: rule %s %r failed on %s; skipped for this batch", rule.id, rule.name, where)
                continue
            if hit:
                matched.append(rule)
                if rule.stop:
                    break
        return matched
