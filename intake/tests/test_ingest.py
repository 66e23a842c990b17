import pytest
from django.db import connection
from django.db.utils import DatabaseError

from channels.adapters.hackernews import HackerNewsAdapter
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.harness import figures
from channels.tests.hn import comment_hit, search_page, story_hit
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket, TicketEvent

adapter = HackerNewsAdapter()
T = 1_700_000_000  # a Unix time in the past (2023): the parser refuses times in the future


def parse(*hits):
    return adapter.parse_payload(search_page(list(hits)))


pytestmark = pytest.mark.django_db


def test_each_new_root_mention_opens_one_ticket_and_redelivery_stores_nothing():
    channel = ChannelFactory()
    mentions = parse(story_hit(100, T, title="GitLab vs the rest"), comment_hit(200, T + 5, parent_id=9, story_id=9))

    first = mentions_ingest(channel=channel, mentions=mentions)
    again = mentions_ingest(channel=channel, mentions=mentions)

    assert first.as_dict() == figures(received=2, created=2, tickets_created=2)
    assert again.as_dict() == figures(received=2, duplicates=2)
    assert Ticket.objects.count() == 2 and Message.objects.count() == 2
    story = Ticket.objects.get(messages__external_id="100")
    assert story.subject == "GitLab vs the rest"
    assert story.requested_at.timestamp() == T
    assert story.status == Ticket.Status.NEW
    assert TicketEvent.objects.filter(ticket=story, kind=TicketEvent.Kind.CREATED).count() == 1


def test_duplicates_inside_one_batch_are_stored_once():
    channel = ChannelFactory()
    result = mentions_ingest(channel=channel, mentions=parse(comment_hit(1, T), comment_hit(1, T)))
    assert (result.created, result.duplicates) == (1, 1)


def test_follow_ups_join_the_ticket_of_their_parent_or_story():
    channel = ChannelFactory()
    mentions_ingest(channel=channel, mentions=parse(story_hit(100, T)))
    ticket = Ticket.objects.get()
    # 201 replies to the story; 202 replies to 201 (parent) in the same batch; 203 is
    # deeper in the same story with an unknown parent: it still joins via story_id.
    result = mentions_ingest(
        channel=channel,
        mentions=parse(
            comment_hit(202, T + 20, parent_id=201, story_id=100),
            comment_hit(201, T + 10, parent_id=100, story_id=100),
            comment_hit(203, T + 30, parent_id=999, story_id=100),
        ),
    )
    assert (result.created, result.tickets_created, result.threaded) == (3, 0, 3)
    assert list(ticket.messages.values_list("external_id", flat=True)) == ["100", "201", "202", "203"]
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.MESSAGE).count() == 3


def test_a_follow_up_reopens_a_solved_ticket():
    channel = ChannelFactory()
    mentions_ingest(channel=channel, mentions=parse(story_hit(100, T)))
    Ticket.objects.update(status=Ticket.Status.SOLVED)
    mentions_ingest(channel=channel, mentions=parse(comment_hit(201, T + 10, parent_id=100, story_id=100)))
    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.OPEN and ticket.solved_at is None
    assert TicketEvent.objects.filter(
        ticket=ticket, kind=TicketEvent.Kind.STATUS, data__reason="follow-up received"
    ).exists()


def test_our_own_account_is_our_reply_not_a_ticket():
    channel = ChannelFactory(our_accounts=["GitLabHQ"])
    mentions_ingest(channel=channel, mentions=parse(story_hit(100, T)))
    result = mentions_ingest(
        channel=channel,
        mentions=parse(
            comment_hit(201, T + 3600, author="gitlabhq", parent_id=100, story_id=100),
            comment_hit(300, T + 7200, author="gitlabhq", parent_id=77, story_id=77),  # ours, unrelated thread
        ),
    )
    assert (result.our_replies, result.tickets_created, result.threaded) == (2, 0, 0)
    ticket = Ticket.objects.get()
    assert ticket.first_reply_at is not None
    assert ticket.first_reply_at.timestamp() == T + 3600
    assert ticket.first_reply_seconds == 3600
    orphan = Message.objects.get(external_id="300")
    assert orphan.kind == Message.Kind.OUR_REPLY and orphan.ticket is None
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.OUR_REPLY_SEEN).count() == 1


def test_our_reply_in_the_same_batch_as_the_question_sets_first_reply():
    channel = ChannelFactory(our_accounts=["gitlabhq"])
    mentions_ingest(
        channel=channel,
        mentions=parse(story_hit(100, T), comment_hit(201, T + 60, author="gitlabhq", parent_id=100, story_id=100)),
    )
    assert Ticket.objects.get().first_reply_seconds == 60


def test_an_earlier_reply_found_later_moves_first_reply_back():
    channel = ChannelFactory(our_accounts=["gitlabhq"])
    mentions_ingest(channel=channel, mentions=parse(story_hit(100, T)))
    mentions_ingest(
        channel=channel, mentions=parse(comment_hit(202, T + 600, author="gitlabhq", parent_id=100, story_id=100))
    )
    mentions_ingest(
        channel=channel, mentions=parse(comment_hit(201, T + 60, author="gitlabhq", parent_id=100, story_id=100))
    )
    assert Ticket.objects.get().first_reply_seconds == 60


def test_the_cursor_is_saved_with_the_mentions():
    channel = ChannelFactory()
    mentions_ingest(channel=channel, mentions=parse(story_hit(1, T)), cursor={"created_at_i": T, "recent_ids": ["1"]})
    channel.refresh_from_db()
    assert channel.cursor == {"created_at_i": T, "recent_ids": ["1"]}


def test_untrusted_urls_and_nul_bytes_are_neutralised():
    channel = ChannelFactory()
    hit = comment_hit(1, T, text="bad\x00byte", author="eve")
    [mention] = parse(hit)
    from dataclasses import replace

    mention = replace(mention, permalink="javascript:alert(1)", author_url="data:text/html,x")
    mentions_ingest(channel=channel, mentions=[mention])
    message = Message.objects.get()
    assert message.body == "badbyte"
    assert message.permalink == "" and message.author_url == ""


@pytest.mark.django_db(transaction=True)
def test_a_crash_halfway_through_a_page_stores_nothing_and_the_next_poll_stores_it_once():
    """A database error after some rows of the page were inserted (a trigger rejects the
    fourth message) rolls back every row and the cursor; the redelivered page then goes in
    exactly once."""
    channel = ChannelFactory(cursor={"created_at_i": T - 100, "recent_ids": []})
    page = parse(*[comment_hit(i, T + i, parent_id=1000 + i, story_id=1000 + i) for i in range(1, 8)])
    with connection.cursor() as cur:
        cur.execute(
            """
            CREATE FUNCTION reject_fourth() RETURNS trigger AS $$
            BEGIN
              IF NEW.external_id = '4' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER reject_fourth BEFORE INSERT ON mentions_message
              FOR EACH ROW EXECUTE FUNCTION reject_fourth();
            """
        )
    try:
        with pytest.raises(DatabaseError, match="disk full"):
            mentions_ingest(channel=channel, mentions=page, cursor={"created_at_i": T + 7, "recent_ids": []})
        assert Message.objects.count() == 0
        assert Ticket.objects.count() == 0
        assert TicketEvent.objects.count() == 0
        channel.refresh_from_db()
        assert channel.cursor == {"created_at_i": T - 100, "recent_ids": []}
    finally:
        with connection.cursor() as cur:
            cur.execute("DROP TRIGGER reject_fourth ON mentions_message; DROP FUNCTION reject_fourth();")

    result = mentions_ingest(channel=channel, mentions=page, cursor={"created_at_i": T + 7, "recent_ids": []})
    assert (result.created, result.tickets_created) == (7, 7)
    again = mentions_ingest(channel=channel, mentions=page)
    assert again.created == 0 and Message.objects.count() == 7
    assert Channel.objects.get(pk=channel.pk).cursor["created_at_i"] == T + 7


def test_an_edit_reported_by_the_platform_updates_the_text_and_keeps_the_old_one_in_history():
    from dataclasses import replace

    channel = ChannelFactory()
    [original] = parse(comment_hit(1, T, text="How do I cache node_modules?"))
    mentions_ingest(channel=channel, mentions=[original])
    edited = replace(original, text="How do I cache node_modules with pnpm?", edited_at=original.created_at)
    result = mentions_ingest(channel=channel, mentions=[edited])
    assert result.duplicates == 1 and result.created == 0
    message = Message.objects.get()
    assert message.body == "How do I cache node_modules with pnpm?" and message.edited_at is not None
    event = TicketEvent.objects.get(kind=TicketEvent.Kind.MESSAGE_EDITED)
    assert event.data["previous_text"] == "How do I cache node_modules?"
    mentions_ingest(channel=channel, mentions=[edited])  # seen again unchanged: no new event
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.MESSAGE_EDITED).count() == 1


def test_a_deleted_item_keeps_its_ticket_and_text_and_says_so():
    from dataclasses import replace

    channel = ChannelFactory()
    [original] = parse(comment_hit(1, T, text="Is the registry down?"))
    mentions_ingest(channel=channel, mentions=[original])
    mentions_ingest(
        channel=channel, mentions=[replace(original, text="[deleted]", author_handle="[deleted]", deleted=True)]
    )
    message = Message.objects.get()
    assert message.body == "Is the registry down?" and message.deleted_at is not None
    assert message.ticket is not None
    assert TicketEvent.objects.filter(ticket=message.ticket, kind=TicketEvent.Kind.MESSAGE_DELETED).count() == 1


def test_an_item_already_deleted_when_first_seen_opens_no_ticket_but_threads():
    from dataclasses import replace

    channel = ChannelFactory()
    [gone] = parse(comment_hit(1, T, text="[deleted]", parent_id=50, story_id=50))
    [reply] = parse(comment_hit(2, T + 10, text="what did they say?", parent_id=1, story_id=50))
    result = mentions_ingest(channel=channel, mentions=[replace(gone, deleted=True), reply])
    assert result.tickets_created == 1 and result.created == 2
    stored = Message.objects.get(external_id="1")
    assert stored.ticket is None and stored.deleted_at is not None
    assert Message.objects.get(external_id="2").ticket is not None


def test_related_ids_and_a_ticket_hint_thread_when_parent_and_thread_do_not():
    from dataclasses import replace

    channel = ChannelFactory()
    [root] = parse(story_hit(100, T))
    mentions_ingest(channel=channel, mentions=[root])
    ticket = Ticket.objects.get()
    [a, b, c] = parse(comment_hit(201, T + 1), comment_hit(202, T + 2), comment_hit(203, T + 3))
    a = replace(a, parent_id="unknown", thread_id="unknown", related_ids=("also-unknown", "100"))
    b = replace(b, parent_id="unknown", thread_id="", ticket_hint=ticket.pk)
    c = replace(c, parent_id="unknown", thread_id="", ticket_hint=ticket.pk + 999)  # not ours: new ticket
    result = mentions_ingest(channel=channel, mentions=[a, b, c])
    assert (result.threaded, result.tickets_created) == (2, 1)
    assert set(ticket.messages.values_list("external_id", flat=True)) == {"100", "201", "202"}


def test_a_changed_text_without_an_edit_time_is_recorded_as_an_edit():
    """Disqus posts/update, or a saved file fed twice: the platform gives no edit time, but the
    text changed; it is not discarded as a duplicate."""
    from dataclasses import replace

    channel = ChannelFactory()
    [original] = parse(comment_hit(1, T, text="Runner fails on arm64"))
    mentions_ingest(channel=channel, mentions=[original])

    result = mentions_ingest(channel=channel, mentions=[replace(original, text="Runner fails on arm64 since 17.2")])

    assert (result.duplicates, result.edited) == (1, 1)
    message = Message.objects.get()
    assert message.body == "Runner fails on arm64 since 17.2" and message.edited_at is not None
    event = TicketEvent.objects.get(kind=TicketEvent.Kind.MESSAGE_EDITED)
    assert event.data["previous_text"] == "Runner fails on arm64"


def test_an_excerpt_or_an_empty_text_of_a_stored_item_is_no_edit():
    """Search results show blurbs ("Runner fails on…") and some listings omit bodies: seeing
    those again must not overwrite the stored text."""
    from dataclasses import replace

    channel = ChannelFactory()
    [original] = parse(comment_hit(1, T, text="Runner fails on arm64 since 17.2, any idea?"))
    mentions_ingest(channel=channel, mentions=[original])

    for seen in ("Runner fails on arm64…", "Runner fails on arm64 ...", ""):
        result = mentions_ingest(channel=channel, mentions=[replace(original, text=seen)])
        assert (result.duplicates, result.edited) == (1, 0), seen

    assert Message.objects.get().body == "Runner fails on arm64 since 17.2, any idea?"
    assert not TicketEvent.objects.filter(kind=TicketEvent.Kind.MESSAGE_EDITED).exists()


def test_a_reply_marked_in_the_desk_and_later_seen_by_the_poll_is_one_reply():
    """An advocate replies on the platform and marks the ticket replied with the link; the next
    poll sees that reply: it becomes the same message (with its platform id), not a second
    reply, and the first reply time is not counted again."""
    from mentions.services.actions import ticket_mark_replied
    from mentions.tests.factories import AdvocateFactory

    channel = ChannelFactory(our_accounts=["gitlab"])
    [question] = parse(story_hit(41000010, T, title="Is GitLab down?"))
    mentions_ingest(channel=channel, mentions=[question])
    ticket = Ticket.objects.get()
    advocate = AdvocateFactory()
    ticket_mark_replied(
        ticket=ticket, user=advocate, body="Looking into it", link="https://news.ycombinator.com/item?id=41000011&ref=x"
    )
    ticket.refresh_from_db()
    first_reply_at = ticket.first_reply_at
    events_before = TicketEvent.objects.filter(ticket=ticket).count()

    [seen] = parse(
        comment_hit(41000011, T + 60, text="Looking into it", author="gitlab", parent_id=41000010, story_id=41000010)
    )
    result = mentions_ingest(channel=channel, mentions=[seen])

    assert (result.created, result.duplicates, result.our_replies) == (0, 1, 0)
    replies = Message.objects.filter(ticket=ticket, kind=Message.Kind.OUR_REPLY)
    assert [(m.external_id, m.author_user) for m in replies] == [("41000011", advocate)]
    ticket.refresh_from_db()
    assert ticket.first_reply_at == first_reply_at
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before
    # And it stays one: the poll's overlap serves it again.
    assert mentions_ingest(channel=channel, mentions=[seen]).duplicates == 1
    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.OUR_REPLY).count() == 1


def test_a_reply_sent_from_the_desk_and_seen_by_the_poll_is_stored_once():
    """A reply the desk posted is stored with the platform's id; the poll seeing it is a duplicate."""
    from mentions.tests.factories import MessageFactory

    channel = ChannelFactory(our_accounts=["gitlab"])
    [question] = parse(story_hit(20, T, title="Pipelines stuck"))
    mentions_ingest(channel=channel, mentions=[question])
    ticket = Ticket.objects.get()
    MessageFactory(ticket=ticket, channel=channel, kind=Message.Kind.OUR_REPLY, external_id="21", body="On it")
    ticket.refresh_from_db()
    before = (ticket.first_reply_at, TicketEvent.objects.filter(ticket=ticket).count())

    [seen] = parse(comment_hit(21, T + 30, text="On it", author="gitlab", parent_id=20, story_id=20))
    result = mentions_ingest(channel=channel, mentions=[seen])

    assert (result.created, result.duplicates, result.our_replies, result.edited) == (0, 1, 0, 0)
    ticket.refresh_from_db()
    assert (ticket.first_reply_at, TicketEvent.objects.filter(ticket=ticket).count()) == before
    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.OUR_REPLY).count() == 1
