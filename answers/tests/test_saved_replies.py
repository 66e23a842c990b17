"""Saved replies: placeholders filled for a ticket, refused when unknown, measured as each platform counts a
reply (X by twitter-text's rules, the reference X publishes), and kept in admin apart from macros."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from answers.models import SavedReply
from answers.saved_replies import saved_reply_fill, saved_reply_lengths
from channels.adapters.registry import platform_of
from channels.tests.factories import ChannelFactory
from mentions.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

BODY = "Thanks {requester}! {handle}, the fix is tracked here: {link}"


def test_placeholders_are_filled_for_the_ticket_with_the_handle_as_the_platform_writes_it():
    on_x = TicketFactory(
        channel=ChannelFactory(kind="twitter", config=platform_of("twitter").example_config()),
        requester_handle="dana_dev",
        requester_name="Dana",
    )
    on_hn = TicketFactory(requester_handle="dana_dev", requester_name="")
    link = "https://gitlab.com/gitlab-org/gitlab/-/issues/1"
    assert saved_reply_fill(BODY, ticket=on_x, link=link) == f"Thanks Dana! @dana_dev, the fix is tracked here: {link}"
    assert saved_reply_fill(BODY, ticket=on_hn) == "Thanks dana_dev! dana_dev, the fix is tracked here: "


def test_a_value_holding_a_placeholder_stays_text_and_markup_is_left_to_the_page_to_escape():
    ticket = TicketFactory(requester_handle="x", requester_name="{link} <b>Eve</b>")
    assert saved_reply_fill("Hi {requester}", ticket=ticket, link="https://evil.example") == "Hi {link} <b>Eve</b>"


def test_an_unknown_placeholder_is_refused_beside_the_body():
    reply = SavedReply(title="Typo", body="Hi {requestor}, see {link}")
    with pytest.raises(ValidationError) as refused:
        reply.full_clean()
    assert refused.value.message_dict["body"] == ["Unknown placeholder {requestor}: use {requester}, {handle}, {link}."]


def test_the_length_is_measured_as_each_platform_counts_it():
    long_link = "https://gitlab.com/gitlab-org/gitlab/-/issues/123456789012345678901234567890?tab=comments"
    lengths = {p.platform: p for p in saved_reply_lengths("a" * 257 + " " + long_link)}
    assert (lengths["X / Twitter"].length, lengths["X / Twitter"].limit) == (281, 280)
    assert lengths["X / Twitter"].over
    assert lengths["Reddit"].length == 258 + len(long_link) and not lengths["Reddit"].over


def test_admin_saves_a_reply_shows_its_lengths_and_refuses_an_unknown_placeholder(admin_client):
    added = admin_client.post(
        reverse("admin:answers_savedreply_add"),
        {"title": "Forum", "body": "Please ask on the forum, {requester}: https://forum.gitlab.com", "is_active": "on"},
    )
    assert added.status_code == 302
    reply = SavedReply.objects.get(title="Forum")
    page = admin_client.get(reverse("admin:answers_savedreply_change", args=[reply.pk])).content.decode()
    assert "X / Twitter: 61 of 280" in page
    refused = admin_client.post(
        reverse("admin:answers_savedreply_add"), {"title": "Bad", "body": "Hi {name}", "is_active": "on"}
    )
    assert refused.status_code == 200 and "Unknown placeholder {name}" in refused.content.decode()
    assert not SavedReply.objects.filter(title="Bad").exists()
