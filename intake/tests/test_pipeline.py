"""The set-based ingest pipeline (intake.pipeline): constant statements per page, no model
instance per row, exact round trip of awkward text through COPY, and a rule set's keyword
automaton deciding exactly what the rules' patterns decide."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models.signals import pre_init
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels import clean
from channels.adapters.base import IncomingMention
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Message, Rule, Ticket, TicketEvent
from mentions.rules import RuleSet, mention_facts, rule_compile

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


def item(text: str, *, parent: str = "", author: str = "someone", **kw) -> IncomingMention:
    n = next(_ids)
    return IncomingMention(
        external_id=f"p{n}",
        created_at=T0 + timedelta(seconds=n),
        text=text,
        author_handle=author,
        parent_id=parent,
        permalink=f"https://example.com/p{n}",
        **kw,
    )


def page_of(size: int) -> list[IncomingMention]:
    """New mentions, replies between them, follow-ups, texts the seeded rules tag."""
    texts = ["gitlab is down again", "how do I cache node_modules?", "found a bug in the runner", "nice release"]
    roots = [item(texts[i % len(texts)]) for i in range(size // 2)]
    replies = [item("same here, +1", parent=roots[i % len(roots)].external_id) for i in range(size - len(roots))]
    return roots + replies


@pytest.mark.usefixtures("handbook_rules")
def test_a_page_costs_the_same_statements_whatever_its_size():
    """Set-based: the statements of a page do not grow with its mentions (20 or 400, with the
    seeded triage rules on and replies joining tickets of the same page)."""
    mentions_ingest(channel=ChannelFactory(), mentions=page_of(8))  # the rules' tags exist from here on
    counts = []
    for size in (20, 400):
        channel = ChannelFactory()
        with CaptureQueriesContext(connection) as queries:
            result = mentions_ingest(channel=channel, mentions=page_of(size), cursor={"n": size})
        assert result.created == size and result.tickets_created == size // 2
        assert Ticket.objects.filter(channel=channel, tags__name="downtime").count() == -(-size // 8)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("handbook_rules")
def test_follow_ups_of_stored_tickets_cost_the_same_statements_whatever_their_number():
    mentions_ingest(channel=ChannelFactory(), mentions=[item("is gitlab down again?")])  # its tags exist
    counts = []
    for size in (10, 200):
        channel = ChannelFactory()
        roots = [item("how do I cache node_modules?") for _ in range(size)]
        mentions_ingest(channel=channel, mentions=roots)
        Ticket.objects.filter(channel=channel).update(status=Ticket.Status.PENDING)
        follow_ups = [item("is gitlab down again?", parent=r.external_id) for r in roots]
        with CaptureQueriesContext(connection) as queries:
            result = mentions_ingest(channel=channel, mentions=follow_ups)
        assert result.threaded == size
        assert Ticket.objects.filter(channel=channel, status=Ticket.Status.OPEN).count() == size
        assert Ticket.objects.filter(channel=channel, tags__name="downtime").count() == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("handbook_rules")
def test_no_model_instance_is_built_per_row():
    """Tickets, messages and events are written from plain values (pre_init fires on every
    model instance Django builds)."""
    channel = ChannelFactory()
    built: list[str] = []

    def count(sender, **kwargs):
        built.append(sender.__name__)

    for model in (Ticket, Message, TicketEvent):
        pre_init.connect(count, sender=model)
    try:
        result = mentions_ingest(channel=channel, mentions=page_of(100))
    finally:
        for model in (Ticket, Message, TicketEvent):
            pre_init.disconnect(count, sender=model)
    assert result.created == 100
    assert TicketEvent.objects.filter(ticket__channel=channel).count() >= 100
    assert built == []


AWKWARD = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1, max_size=80
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=AWKWARD, author=AWKWARD, key=AWKWARD)
def test_any_text_is_stored_exactly_as_given(text, author, key):
    """Tabs, newlines, backslashes, \\N, quotes and any Unicode survive COPY's text format: what is stored
    is the cleaned mention (cleaned once, as an adapter hands it over), value for value."""
    channel = ChannelFactory()
    made = item(f"\\N\t{text}\\\r\n", author=author, title=text, raw={key: [text, {"\\": "\t\n"}]})
    mention = clean.mention_clean(made)
    mentions_ingest(channel=channel, mentions=[mention])
    stored = Message.objects.get(channel=channel)
    assert stored.body == mention.text == made.text.strip()
    assert stored.title == mention.title
    assert stored.raw == mention.raw == made.raw
    assert stored.author_name == ""  # none given
    ticket = stored.ticket
    assert ticket is not None
    subject = mention.title or mention.text.split("\n", 1)[0].strip()
    assert ticket.subject == (subject or f"Mention {mention.external_id}")


# --- The rule set's keyword automaton --------------------------------------------------

TOKENS = ["gitlab", "down", "spam", "bug", "ci", "is", "self-hosted", "cve-", "#movingtogitlab", "502", "can't"]
TOKENS += ["gitlab.com", "c++", "_x", "caf\u00e9"]
TEXT_WORDS = ["gitlab", "GitLab's", "down", "DOWN", "download", "spam", "spammer", "bug", "CI", "is", "self-hosted"]
TEXT_WORDS += ["cve-2024", "#movingtogitlab", "@gitlab", "x", ".", "\u017fpam", "Gitlab-runner", "502", "5023"]
TEXT_WORDS += ["can't", "gitlab.com", "c++", "c+++", "_x", "x_x", "caf\u00e9", "CAF\u00c9", "\u212aube", "kube"]
SPACES = [" ", "  ", "\t", "\n", " \r\n ", "\x1c", "", "-", ","]


@st.composite
def keywords(draw):
    token = st.sampled_from(TOKENS).map(
        lambda t: draw(st.sampled_from(["", "*"])) + t + draw(st.sampled_from(["", "*"]))
    )
    words = draw(st.lists(token, min_size=1, max_size=3))
    return draw(st.sampled_from([" ", "  ", "\t"])).join(words)


@st.composite
def rule_specs(draw):
    return {
        "text_keywords": "\n".join(draw(st.lists(keywords(), max_size=3))),
        "text_excludes": "\n".join(draw(st.lists(keywords(), max_size=2))),
        "authors": draw(st.sampled_from(["", "alice"])),
        "stop_processing": draw(st.booleans()),
    }


@st.composite
def texts(draw):
    words = draw(st.lists(st.sampled_from(TEXT_WORDS), max_size=10))
    out = draw(st.sampled_from(["", " ", "\n"]))
    for word in words:
        out += word + draw(st.sampled_from(SPACES))
    return out


@settings(max_examples=500, deadline=None)
@given(specs=st.lists(rule_specs(), min_size=1, max_size=5), text=texts(), author=st.sampled_from(["alice", "bob"]))
def test_the_keyword_automaton_decides_exactly_what_the_rules_patterns_decide(specs, text, author):
    rules = []
    for n, spec in enumerate(specs):
        if not spec["text_keywords"] and not spec["authors"]:
            spec["authors"] = "alice"
        rules.append(rule_compile(Rule(pk=n + 1, name=f"r{n}", add_tags="t", **spec)))
    facts = mention_facts(channel_id=1, channel_kind="twitter", title="", body=text, author_handle=author)
    expected = []
    for rule in rules:
        if rule.matches(facts):  # the patterns alone
            expected.append(rule.name)
            if rule.stop:
                break
    assert [r.name for r in RuleSet(rules).match(facts)] == expected


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("502", "error 5023"),
        ("502", "x502 y"),
        ("502", "HTTP 502, again"),
        ("gitlab", "GitLab's runner"),
        ("*gitlab*", "mygitlabs"),
        ("gitlab*", "mygitlabs"),
        ("c++", "c+++"),
        ("c++", "I like c++."),
        ("spam*", "spammers!"),
        ("is down", "it is\t\n down"),
        ("is down", "isdown"),
        ("cve-*", "CVE-2024-1"),
        ("_x", "x_x"),
        ("gitlab.com", "on gitlab.com."),
        ("kube", "\u212aube"),
    ],
)
def test_the_automaton_agrees_with_the_pattern_at_the_edges(keyword, text):
    rule = rule_compile(Rule(pk=1, name="r", add_tags="t", text_keywords=keyword))
    facts = mention_facts(channel_id=1, channel_kind="twitter", title="", body=text, author_handle="a")
    assert rule.keywords is not None
    expected = bool(rule.keywords.search(facts.text))
    assert bool(RuleSet([rule]).match(facts)) == expected


def test_the_automaton_decides_the_handbook_rules_on_plain_text(handbook_rules):
    from mentions.services.rules import rules_load

    ruleset = rules_load()
    facts = mention_facts(
        channel_id=1, channel_kind="twitter", title="", body="GitLab.com is DOWN\tagain, 502 errors", author_handle="x"
    )
    found = ruleset.automaton.found(facts.text)
    assert found is not None and len(ruleset.automaton.decided) >= 8
    assert [r.name for r in ruleset.match(facts)] == ["Availability / downtime"]
