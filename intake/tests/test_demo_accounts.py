"""The demo desk's connected accounts (channels.demo.accounts): on the seeded demo, a reply sent from the desk and
each action the platform declares (like, repost, direct message, delete) go through the real adapter and are
answered by that platform's replay (channels/adapters/<kind>/replay.py, whose docstring names the recorded fixtures
and documented shapes it follows); a second seed leaves the accounts as they were."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import override_settings

from channels.adapters.registry import platform_of, platforms
from channels.demo.accounts import demo_accounts_ensure
from channels.demo.channels import DEMO_CHANNELS, demo_slug
from channels.models import Account, Channel
from intake.management.commands._demo_week import week_seed
from mentions.models import Message, Ticket
from mentions.services.direct_messages import ticket_direct_message
from mentions.services.platform_actions import message_like, message_repost, reply_delete
from mentions.services.replies import ticket_send_reply
from mentions.services.reply_images import ImageGiven
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db

CONNECTED = [kind for kind, spec in DEMO_CHANNELS.items() if spec.get("account_tokens")]


@pytest.fixture(autouse=True)
def no_seeded_channel():
    Channel.objects.filter(kind="slack").delete()  # the Slack channel a migration seeds


def _open_ticket(kind: str) -> Ticket:
    """A ticket of the kind's demo channel with a mention to answer (a waiting one first)."""
    tickets = Ticket.objects.filter(channel__slug=demo_slug(kind)).order_by("status", "id")
    for ticket in tickets:
        if ticket.messages.filter(kind=Message.Kind.INBOUND).exclude(external_id="").exists():
            return ticket
    raise AssertionError(f"no {kind} ticket to answer")


@override_settings(DESK_DEMO_REPLAY=True)
@time_machine.travel(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), tick=True)
def test_each_demo_account_replies_and_acts_from_the_desk_and_a_second_seed_keeps_them():
    advocate = AdvocateFactory()
    week_seed(advocate=advocate)
    accounts = Account.objects.filter(channel__slug__in=[demo_slug(k) for k in CONNECTED])
    # Every platform whose replies our connected accounts post (the mailbox replies from its address; Hacker News,
    # Slack and the webhook take no reply) has its account on the demo.
    writable = {p.kind for p in platforms() if p.replies and p.reply_as != "address"}
    assert writable >= {"twitter", "reddit", "stackexchange", "disqus", "discourse", "gitlab", "github", "discord"}
    # And every issue tracker that takes no reply has its account to file issues as (stories/tests/
    # test_demo_issue_filing.py files and follows them).
    filing = {p.kind for p in platforms() if p.issues and not p.replies}
    assert filing == {"jira", "linear"}
    assert {a.channel.kind for a in accounts} == set(CONNECTED) == writable | filing
    named = {k: s.get("account_username") or s["our_accounts"][0] for k, s in DEMO_CHANNELS.items()}
    assert all(a.can_post and a.username == named[a.channel.kind] for a in accounts)
    assert all("not-a-secret" not in a.tokens_encrypted for a in accounts)  # stored encrypted
    before = {a.pk: (a.tokens_encrypted, a.updated_at) for a in accounts}
    assert demo_accounts_ensure() == []  # the second seed makes none and changes none
    assert {a.pk: (a.tokens_encrypted, a.updated_at) for a in Account.objects.all()} == before

    done: dict[str, list[str]] = {}
    for kind in sorted(writable):
        actions = platform_of(kind).actions
        ticket = _open_ticket(kind)
        mention = ticket.messages.filter(kind=Message.Kind.INBOUND).exclude(external_id="").order_by("-id").first()
        assert mention is not None
        reply = ticket_send_reply(ticket=ticket, user=advocate, body="Thanks for the report: we are looking at it.")
        assert reply.kind == Message.Kind.OUR_REPLY and reply.external_id, kind
        done[kind] = ["reply"]
        if "like" in actions:
            assert message_like(ticket=ticket, message_id=mention.pk, user=advocate), kind
            done[kind].append("like")
        if "repost" in actions:
            assert message_repost(ticket=ticket, message_id=mention.pk, user=advocate), kind
            done[kind].append("repost")
        if "message" in actions:
            sent = ticket_direct_message(ticket=ticket, message_id=mention.pk, user=advocate, text="Could you DM us?")
            # Stored by the id the platform gave it; Reddit's answer to a message names none, so its link is the
            # account's sent messages (channels/adapters/reddit/message.py).
            assert sent.kind == Message.Kind.DIRECT and (sent.external_id or sent.permalink), kind
            done[kind].append("message")
        if "delete" in actions:
            # The reply just sent from the desk: what it stored is enough to delete it from the platform.
            assert reply_delete(ticket=ticket, message_id=reply.pk, user=advocate, confirmed=True), kind
            done[kind].append("delete")
    assert set(done) == writable


def test_the_bluesky_accounts_did_is_the_one_the_demo_pds_gives_its_handle():
    from channels.adapters.bluesky.replay import did_of

    spec = DEMO_CHANNELS["bluesky"]
    assert spec["account_tokens"]["did"] == did_of(spec["our_accounts"][0])


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (64, 32), (108, 71, 255)).save(out, format="PNG")
    return out.getvalue()


@override_settings(DESK_DEMO_REPLAY=True)
@time_machine.travel(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), tick=True)
def test_each_demo_account_that_takes_images_sends_a_reply_with_one():
    """The demo shows the whole of a reply with an image: uploaded (or sent with the message) and listed on the ticket
    with its description, on every demo platform whose declaration takes images."""
    advocate = AdvocateFactory()
    week_seed(advocate=advocate)
    pictured = [kind for kind in CONNECTED if platform_of(kind).reply_rule.media]
    assert set(pictured) >= {"mastodon", "bluesky", "discord"}
    for kind in pictured:
        ticket = _open_ticket(kind)
        alt = f"The Runners settings page ({kind})"
        reply = ticket_send_reply(
            ticket=ticket, user=advocate, body="As in the picture.", images=[ImageGiven(data=_png(), alt=alt)]
        )
        assert reply.kind == Message.Kind.OUR_REPLY and reply.external_id, kind
        assert [m["alt"] for m in reply.media] == [alt], kind


@override_settings(DESK_DEMO_REPLAY=True)
def test_a_demo_channel_made_before_it_could_send_gets_the_app_keys_its_sends_need():
    """A demo seeded before its platform sent: its channel has the read credentials only (no Disqus secret key, no
    Stack Exchange app key); connecting the account adds those, and keeps what an admin set."""
    made = {}
    for kind, kept in (("disqus", {"api_key": "the-admins-key"}), ("stackexchange", {})):
        spec = DEMO_CHANNELS[kind]
        made[kind] = Channel(slug=demo_slug(kind), kind=kind, name=spec["name"], config=spec["config"])
        made[kind].our_accounts = spec["our_accounts"]
        made[kind].credentials = kept
        made[kind].save()

    assert {a.channel.kind for a in demo_accounts_ensure()} == {"disqus", "stackexchange"}

    for channel in made.values():
        channel.refresh_from_db()
    assert made["disqus"].credentials == {**DEMO_CHANNELS["disqus"]["credentials"], "api_key": "the-admins-key"}
    assert made["stackexchange"].credentials == DEMO_CHANNELS["stackexchange"]["credentials"]
