"""Triage rules: matching, validation, actions applied at ingest, and a broken rule never
stopping ingestion."""

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels.adapters.base import IncomingMention
from channels.adapters.registry import platform_of
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Macro, MacroAction, Message, Rule, Ticket, TicketEvent
from mentions.rules import RuleSet, keywords_pattern, mention_facts, rule_compile
from mentions.services import reply_plan
from mentions.tests.factories import ManagerFactory
from notifications.models import SlackNotice

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def only_our_rules():
    """These tests make their own rules; the seeded ones are covered by test_rules_handbook."""
    Rule.objects.all().delete()


def mention(n: int, text: str, **kw) -> IncomingMention:
    return IncomingMention(
        external_id=f"x{n}",
        created_at=T0 + timedelta(seconds=n),
        text=text,
        author_handle=kw.pop("author", "dana_dev"),
        permalink=f"https://x.com/dana_dev/status/{n}",
        **kw,
    )


def twitter_channel(**kw):
    return ChannelFactory(kind="twitter", config=platform_of("twitter").example_config(), our_accounts=[], **kw)


def rule(**fields) -> Rule:
    fields.setdefault("name", f"rule {Rule.objects.count() + 1}")
    fields.setdefault("enabled", True)
    return Rule.objects.create(**fields)


# --- Matching -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keywords", "text", "hit"),
    [
        (["down"], "Is GitLab down?", True),
        (["down"], "Can't download the runner", False),
        (["gitlab"], "loving #GitLab today", True),
        (["gitlab"], "thanks @gitlab!", True),
        (["gitlab"], "GitLab's new UI", True),
        (["gitlab"], "gitlabhq is old", False),
        (["#movingtogitlab"], "#movingtogitlab at the start", True),
        (["#movingtogitlab"], "so long, GitHub #MovingToGitLab!", True),
        (["#movingtogitlab"], "movingtogitlab without the hash", False),
        (["#movingtogitlab"], "foo#movingtogitlab glued", False),
        (["#movingtogitlab"], "#movingtogitlabnow longer tag", False),
        (["is down"], "GitLab   is\ndown again", True),
        (["is down"], "this down is", False),
        (["spam*"], "the spammers are back", True),
        (["*gitlab*"], "#movingtogitlab", True),
        (["502*"], "getting 502s", True),
        (["c++"], "GitLab CI for C++ projects", True),
    ],
)
def test_keywords_match_whole_words_any_case_including_hashtags(keywords, text, hit):
    pattern = keywords_pattern(keywords)
    assert pattern is not None
    assert bool(pattern.search(text)) is hit


def test_conditions_on_channel_author_handles_and_link_all_have_to_hold():
    x = twitter_channel()
    hn = ChannelFactory()
    r = rule(
        channel_kinds=["twitter"],
        text_keywords="pipeline",
        authors="@Dana_Dev",
        handles_mentioned="GitLabStatus",
        link=Rule.Link.PRESENT,
        add_tags="matched",
    )
    r.channels.add(x)
    good = "@GitLabStatus pipeline stuck https://gitlab.com/a/b/-/pipelines/1"
    mentions_ingest(
        channel=x,
        mentions=[
            mention(1, good),
            mention(2, good, author="someone_else"),
            mention(3, "@GitLab pipeline stuck https://gitlab.com/a/b/-/pipelines/1"),
            mention(4, "@GitLabStatus pipeline stuck"),
        ],
    )
    mentions_ingest(channel=hn, mentions=[mention(5, good)])
    tagged = set(Ticket.objects.filter(tags__name="matched").values_list("messages__external_id", flat=True))
    assert tagged == {"x1"}


def test_handles_the_platform_lists_count_as_mentioned_handles():
    x = twitter_channel()
    rule(handles_mentioned="gitlabstatus", add_tags="status")
    mentions_ingest(channel=x, mentions=[mention(1, "is it just me?", mentioned=("GitLabStatus",))])
    assert list(Ticket.objects.get().tags.values_list("name", flat=True)) == ["status"]


def test_stop_processing_skips_later_rules():
    x = twitter_channel()
    rule(name="first", position=1, text_keywords="github", add_tags="a", stop_processing=True)
    rule(name="second", position=2, text_keywords="github", add_tags="b")
    mentions_ingest(channel=x, mentions=[mention(1, "github again")])
    assert list(Ticket.objects.get().tags.values_list("name", flat=True)) == ["a"]


# --- Validation ---------------------------------------------------------------------------


def test_an_invalid_regular_expression_is_rejected_when_saved():
    with pytest.raises(ValidationError) as exc:
        Rule.objects.create(name="broken", text_regex="(unclosed", add_tags="x")
    assert "Not a valid regular expression" in str(exc.value.message_dict["text_regex"])
    assert not Rule.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text_keywords": "ok\n***", "add_tags": "x"}, "text_keywords", "nothing to look for"),
        ({"text_keywords": "x", "add_tags": "not a/tag"}, "add_tags", "is not a tag name"),
        ({"text_keywords": "x", "notify_slack": "abuse team"}, "notify_slack", "is not a Slack channel"),
        ({"text_keywords": "x"}, "add_tags", "at least one action"),
        ({"text_keywords": "x", "close_without_reply": True, "reply_template": "hi"}, "reply_template", "cannot"),
        ({"text_keywords": "x", "channel_kinds": ["myspace"], "add_tags": "x"}, "channel_kinds", "drawn from"),
    ],
)
def test_other_broken_rules_are_rejected_when_saved(fields, field, message):
    with pytest.raises(ValidationError) as exc:
        Rule.objects.create(name="broken", **fields)
    assert message in " ".join(exc.value.message_dict[field])


def test_a_macro_that_needs_a_person_cannot_be_run_by_a_rule(handbook_macros):
    with pytest.raises(ValidationError) as exc:
        Rule.objects.create(name="r", text_keywords="x", macro=Macro.objects.get(name="Reached out to expert"))
    assert "cannot run it" in exc.value.message_dict["macro"][0]


def test_the_admin_form_refuses_an_invalid_regular_expression(admin_client):
    response = admin_client.post(
        "/admin/mentions/rule/add/",
        {"name": "Broken", "position": 0, "text_regex": "[a-z", "add_tags": "x", "link": ""},
    )
    assert response.status_code == 200
    assert "Not a valid regular expression" in response.content.decode()
    assert not Rule.objects.exists()


def test_the_admin_form_refuses_a_rule_without_conditions(admin_client):
    response = admin_client.post("/admin/mentions/rule/add/", {"name": "Everything", "position": 0, "add_tags": "x"})
    assert "at least one condition" in response.content.decode()
    assert not Rule.objects.exists()


def test_the_admin_form_saves_a_valid_rule(admin_client):
    response = admin_client.post(
        "/admin/mentions/rule/add/",
        {
            "name": "Outage",
            "position": 5,
            "channel_kinds": ["twitter", "reddit"],
            "text_keywords": "outage\nis down",
            "text_regex": r"\b50[234]\b",
            "add_tags": "downtime",
            "set_priority": "high",
            "notify_slack": "#Incident-Watch",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Rule.objects.get()
    assert (saved.channel_kinds, saved.notify_slack, saved.enabled) == (["twitter", "reddit"], "#incident-watch", False)


# --- A broken rule never stops ingestion --------------------------------------------------


def test_a_rule_that_fails_at_runtime_is_skipped_and_the_mention_is_stored_once(caplog):
    x = twitter_channel()
    broken_regex = rule(name="broken regex", position=1, text_keywords="down", add_tags="never")
    broken_kinds = rule(name="broken kinds", position=2, text_keywords="down", add_tags="never2")
    rule(name="healthy", position=3, text_keywords="down", add_tags="downtime")
    # Stored around validation (a script, a bad data migration): only update() gets there.
    Rule.objects.filter(pk=broken_regex.pk).update(text_regex="(unclosed")
    Rule.objects.filter(pk=broken_kinds.pk).update(channel_kinds={"not": "a list"})
    with caplog.at_level(logging.ERROR):
        result = mentions_ingest(channel=x, mentions=[mention(1, "is gitlab down?")])
        again = mentions_ingest(channel=x, mentions=[mention(1, "is gitlab down?")])
    assert (result.created, again.duplicates) == (1, 1)
    ticket = Ticket.objects.get()
    assert Message.objects.count() == 1
    assert list(ticket.tags.values_list("name", flat=True)) == ["downtime"]
    logged = caplog.text
    assert f"rule {broken_regex.pk} 'broken regex' cannot be compiled" in logged
    assert f"rule {broken_kinds.pk} 'broken kinds' cannot be compiled" in logged


def test_a_rule_whose_matching_raises_is_logged_with_the_ticket_and_skipped_for_the_batch(caplog):
    """RuleSet catches anything one rule raises while matching (no valid rule raises: the
    pattern here is a stand-in for an unforeseen failure)."""

    class Exploding:
        def search(self, text):
            raise RuntimeError("boom")

    good = rule_compile(Rule(name="healthy", text_keywords="down", add_tags="x"))
    # A stand-in for a compiled pattern whose search raises: not a re.Pattern, on purpose.
    exploding = Exploding()
    bad = replace(rule_compile(Rule(pk=7, name="exploding", text_keywords="down", add_tags="x")), regex=exploding)  # type: ignore[arg-type]
    ruleset = RuleSet([bad, good])
    facts = mention_facts(channel_id=1, channel_kind="twitter", title="", body="down", author_handle="a")
    with caplog.at_level(logging.ERROR):
        first = ruleset.match(facts, where="ticket 41")
        second = ruleset.match(facts, where="ticket 42")
    assert [r.name for r in first] == [r.name for r in second] == ["healthy"]
    assert "rule 7 'exploding' failed on ticket 41" in caplog.text
    assert "ticket 42" not in caplog.text  # logged once per batch, then skipped
    assert ruleset.broken == {7: "RuntimeError: boom"}


def test_a_rule_failing_in_the_database_rolls_back_alone_and_the_mentions_are_stored(caplog):
    x = twitter_channel(slack_channel="#x-mentions")
    too_long = rule(name="too long a tag", text_keywords="down", add_tags="ok")
    Rule.objects.filter(pk=too_long.pk).update(add_tags="t" * 80)  # Tag.name holds 64
    with caplog.at_level(logging.ERROR):
        result = mentions_ingest(channel=x, mentions=[mention(1, "is gitlab down?")], cursor={"at": 1})
    assert result.tickets_created == 1
    ticket = Ticket.objects.get()
    assert not ticket.tags.exists()
    assert not ticket.events.filter(kind=TicketEvent.Kind.RULE_APPLIED).exists()
    assert SlackNotice.objects.get().ticket == ticket  # the channel mirror still queued
    x.refresh_from_db()
    assert x.cursor == {"at": 1}
    assert "triage rules failed; 1 ticket(s) stored without them" in caplog.text


def test_a_tag_longer_than_a_tag_name_is_refused_when_saved():
    with pytest.raises(ValidationError) as exc:
        Rule.objects.create(name="r", text_keywords="x", add_tags="t" * 65)
    assert "at most 64" in exc.value.message_dict["add_tags"][0]


# --- Actions ------------------------------------------------------------------------------


def test_actions_tags_priority_template_and_respond_from_status_handle():
    x = twitter_channel()
    rule(
        name="Availability",
        text_keywords="is down",
        add_tags="downtime availability",
        set_priority="high",
        reply_from=Rule.ReplyFrom.STATUS,
        reply_template="Sorry {requester}! See https://status.gitlab.com ({channel}, {permalink})",
    )
    rule(name="Later", position=5, text_keywords="down", reply_template="a later suggestion loses")
    mentions_ingest(channel=x, mentions=[mention(1, "@GitLab is down for everyone?", mentioned=("GitLab",))])

    ticket = Ticket.objects.get()
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["availability", "downtime"]
    assert ticket.priority == Ticket.Priority.HIGH
    assert ticket.status == Ticket.Status.NEW
    assert ticket.reply_draft == (
        f"Sorry dana_dev! See https://status.gitlab.com ({x.name}, https://x.com/dana_dev/status/1)"
    )
    applied = ticket.events.filter(kind=TicketEvent.Kind.RULE_APPLIED).order_by("id")
    assert [e.data for e in applied] == [
        {
            "rule": "Availability",
            "rule_id": Rule.objects.get(name="Availability").pk,
            "actions": [
                "tags: downtime availability",
                "priority: high",
                "reply suggested",
                "respond from: status handle",
            ],
        },
        {"rule": "Later", "rule_id": Rule.objects.get(name="Later").pk, "actions": ["reply suggested"]},
    ]
    assert set(ticket.events.filter(kind=TicketEvent.Kind.TAG_ADDED).values_list("data__tag", flat=True)) == {
        "downtime",
        "availability",
    }
    # Only @GitLab is mentioned, which alone would answer from @GitLab: the rule says status.
    plan = reply_plan(Ticket.objects.select_related("channel").prefetch_related("messages").get())
    assert plan is not None
    assert plan.chosen == "GitLabStatus"
    assert "triage rule" in plan.reason


def test_close_without_reply_solves_the_ticket_naming_the_rule_and_counts_as_solved_without_reply():
    from metrics.first_reply import first_reply_stats

    x = twitter_channel()
    rule(name="Competitor-only", text_keywords="github", text_excludes="*gitlab*", close_without_reply=True)
    mentions_ingest(channel=x, mentions=[mention(1, "GitHub is down again"), mention(2, "GitHub vs GitLab?")])

    closed = Ticket.objects.get(messages__external_id="x1")
    kept = Ticket.objects.get(messages__external_id="x2")
    assert (closed.status, closed.first_reply_at) == (Ticket.Status.SOLVED, None)
    assert closed.solved_at is not None
    assert kept.status == Ticket.Status.NEW
    status = closed.events.get(kind=TicketEvent.Kind.STATUS)
    assert status.actor is None
    assert status.data == {"from": "new", "to": "solved", "reason": "not acknowledged", "rule": "Competitor-only"}
    stats = first_reply_stats(start=T0.date(), end=T0.date(), now=T0 + timedelta(hours=1))
    assert stats["all"].solved_without_reply == 1


def test_the_ticket_history_names_the_rule_that_closed_it(client):
    x = twitter_channel()
    rule(name="Competitor-only", text_keywords="github", text_excludes="*gitlab*", close_without_reply=True)
    mentions_ingest(channel=x, mentions=[mention(1, "GitHub is down again")])
    client.force_login(ManagerFactory())
    html = client.get(reverse("mentions:ticket-history", args=[Ticket.objects.get().pk])).content.decode()
    assert "Triage rule “Competitor-only” applied: closed without reply (not acknowledged)" in html
    assert "Triage rule “Competitor-only” set the status to solved \u2013 not acknowledged" in html


def test_a_macro_runs_as_the_rule(handbook_macros):
    x = twitter_channel()
    macro = Macro.objects.create(name="Triage: swag")
    MacroAction.objects.bulk_create(
        [
            MacroAction(macro=macro, position=0, kind="add_tags", value="swag merch"),
            MacroAction(macro=macro, position=1, kind="remove_tags", value="merch"),
            MacroAction(macro=macro, position=2, kind="add_note", value="Swag ask from {requester}: {permalink}"),
            MacroAction(macro=macro, position=3, kind="set_status", value="open"),
        ]
    )
    rule(name="Swag", text_keywords="stickers", macro=macro)
    mentions_ingest(channel=x, mentions=[mention(1, "Any chance of GitLab stickers?")])

    ticket = Ticket.objects.get()
    assert list(ticket.tags.values_list("name", flat=True)) == ["swag"]
    assert ticket.status == Ticket.Status.OPEN
    note = ticket.messages.get(kind=Message.Kind.NOTE)
    assert note.body == "Swag ask from dana_dev: https://x.com/dana_dev/status/1"
    assert note.author_name == "rule: Swag"
    assert ticket.events.get(kind=TicketEvent.Kind.NOTE).data == {"rule": "Swag", "message_id": note.pk}


def test_a_rule_notifying_slack_queues_one_line_for_that_channel():
    x = twitter_channel()
    rule(name="Spam report", text_keywords="spam", add_tags="spam-report", notify_slack="#abuse")
    mentions_ingest(channel=x, mentions=[mention(1, "@gitlab spam issues everywhere"), mention(2, "hello")])
    mentions_ingest(channel=x, mentions=[mention(1, "@gitlab spam issues everywhere")])  # re-delivered

    notice = SlackNotice.objects.get()
    ticket = Ticket.objects.get(messages__external_id="x1")
    assert (notice.destination, notice.ticket, notice.kind, notice.status) == ("#abuse", ticket, "rule", "pending")
    assert notice.text.startswith(f"• [Spam report] <http://127.0.0.1:8000/tickets/{ticket.pk}/|#{ticket.pk}>")


def test_rules_run_on_follow_ups_like_new_mentions_and_never_on_our_replies():
    """Issue 12: a report that arrives as a reply gets what the rules give a new mention."""
    x = twitter_channel()
    rule(text_keywords="broken", add_tags="bug-report")
    mentions_ingest(channel=x, mentions=[mention(1, "hello @gitlab")])
    mentions_ingest(channel=x, mentions=[mention(2, "ours: is it broken?", parent_id="x1", by_us=True)])
    assert not Ticket.objects.get().tags.exists()
    mentions_ingest(channel=x, mentions=[mention(3, "it's broken", parent_id="x2")])
    assert list(Ticket.objects.get().tags.values_list("name", flat=True)) == ["bug-report"]


def test_rule_queries_do_not_grow_with_the_batch(handbook_rules):
    x = twitter_channel(slack_channel="#x-mentions")

    def queries(start: int, n: int) -> int:
        batch = [mention(start + i, f"@gitlab is gitlab down? spam {i} #movingtogitlab") for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            mentions_ingest(channel=x, mentions=batch)
        return len(ctx.captured_queries)

    queries(0, 3)  # creates the tags
    few, many = queries(10, 3), queries(100, 60)
    assert Ticket.objects.filter(tags__name="spam-report").count() == 66
    assert many == few


# --- Dry run ------------------------------------------------------------------------------


def _history(channel, n: int, *, text="a quiet mention", start: int = 0):
    mentions_ingest(channel=channel, mentions=[mention(start + i, text) for i in range(n)])


def test_trying_a_disabled_rule_lists_its_matches_among_the_last_200_tickets(admin_client):
    x = twitter_channel()
    _history(x, 3, text="<script>alert(1)</script> stickers please", start=0)  # oldest: beyond the last 200
    _history(x, 200, text="nothing to see", start=100)
    _history(x, 2, text="<b>stickers</b> for our meetup?", start=1000)
    candidate = rule(name="Swag", text_keywords="stickers", add_tags="swag", enabled=False)

    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get(f"/admin/mentions/rule/{candidate.pk}/try/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Of the last 200 tickets, this rule (switched off)" in html
    assert "would have matched <strong>2</strong>" in html
    assert "&lt;b&gt;stickers&lt;/b&gt;" in html and "<b>stickers</b>" not in html
    assert "<script>alert(1)</script>" not in html
    # Admin's sidebar asks once per singleton settings page whether it is made yet (product, issues, coverage, duty).
    assert len(ctx.captured_queries) <= 11, "\n".join(q["sql"][:100] for q in ctx.captured_queries)
    assert not Ticket.objects.filter(tags__name="swag").exists()  # a dry run changes nothing


def test_the_dry_run_query_count_does_not_depend_on_the_matches(admin_client):
    x = twitter_channel()
    _history(x, 20, text="stickers please")
    candidate = rule(name="Swag", text_keywords="stickers", add_tags="swag", enabled=False)
    admin_client.get(f"/admin/mentions/rule/{candidate.pk}/try/")  # fills the session and permission caches
    with CaptureQueriesContext(connection) as few:
        admin_client.get(f"/admin/mentions/rule/{candidate.pk}/try/")
    _history(x, 150, text="stickers again", start=500)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(f"/admin/mentions/rule/{candidate.pk}/try/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_unsaved_settings_can_be_tried_from_the_change_form(admin_client):
    x = twitter_channel()
    _history(x, 5, text="GitLab is down for me")
    _history(x, 5, text="GitLab is great", start=50)
    form = {"name": "Draft", "position": 0, "text_keywords": "down for me", "add_tags": "downtime"}

    response = admin_client.post("/admin/mentions/rule/try/", form)
    assert "would have matched <strong>5</strong>" in response.content.decode()
    assert not Rule.objects.exists()

    broken = admin_client.post("/admin/mentions/rule/try/", {**form, "text_regex": "(("})
    assert "Not a valid regular expression" in broken.content.decode()


def test_the_changelist_action_opens_the_dry_run(admin_client):
    candidate = rule(name="Swag", text_keywords="stickers", add_tags="swag")
    response = admin_client.post(
        "/admin/mentions/rule/", {"action": "try_rule", "_selected_action": [candidate.pk]}, follow=True
    )
    assert "Of the last 0 tickets" in response.content.decode()


def test_users_who_are_not_staff_cannot_try_rules(client):
    client.force_login(ManagerFactory())
    candidate = rule(name="Swag", text_keywords="stickers", add_tags="swag")
    assert client.get(f"/admin/mentions/rule/{candidate.pk}/try/").status_code == 302  # to the admin login


@pytest.mark.parametrize("rule_id", ["\u00b2", "9" * 5000, "\x00", "-1"])
def test_rule_try_with_a_junk_rule_id_is_answered_not_a_500(admin_client, rule_id):
    from django.urls import reverse

    response = admin_client.post(reverse("admin:mentions_rule_try_unsaved"), {"rule_id": rule_id, "name": "r"})
    assert response.status_code == 200
