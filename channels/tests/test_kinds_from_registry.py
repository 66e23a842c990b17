"""The registry is the only list of kinds: `Channel.kind`'s choices are what it registers (each platform's kind and
label), asked when needed, so a platform added to it needs no migration and is a valid channel kind at once.

A throwaway platform, declared here (its adapter the webhook's, whose empty config is valid), is registered for
each test through `registry.registered` and removed after. No platform's HTTP: the only pages are the desk's own
admin pages, read through Django's test client."""

from dataclasses import replace
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from channels.adapters.registry import PLATFORMS, platform_of, platform_or_default, platforms, registered
from channels.adapters.webhook import WebhookAdapter
from channels.models import Channel
from channels.tests.factories import ChannelFactory

KIND = "carrierpigeon"


class CarrierPigeonAdapter(WebhookAdapter):
    kind = KIND


# What the registry answers for a kind no package declares (every part at its default, none supported), with a
# label, an adapter and a line for admin's picker.
CARRIER_PIGEON = replace(
    platform_or_default(KIND),
    label="Carrier pigeon (throwaway)",
    adapter=f"{__name__}.CarrierPigeonAdapter",
    help_text="A platform that exists only while a test registers it.",
)


def _channel() -> Channel:
    return Channel(kind=KIND, name="Pigeon loft", slug="pigeon-loft", config={})


def test_the_channel_kinds_are_the_registered_platforms_with_their_labels():
    field = Channel._meta.get_field("kind")

    assert field.flatchoices == [(p.kind, p.label) for p in platforms()]
    assert Channel(kind="reddit").get_kind_display() == platform_of("reddit").label


@pytest.mark.django_db
def test_a_kind_added_to_the_registry_needs_no_migration():
    out = StringIO()
    with registered(CARRIER_PIGEON):
        # --check exits 1 (SystemExit) when a migration is missing, so returning is the pass.
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
        # And the model saw the kind: a list frozen when the models loaded would pass the check without it.
        assert (KIND, CARRIER_PIGEON.label) in Channel._meta.get_field("kind").flatchoices

    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_a_channel_of_a_kind_is_valid_while_the_kind_is_registered_and_refused_after():
    with registered(CARRIER_PIGEON):
        channel = _channel()
        channel.full_clean()
        assert channel.get_kind_display() == CARRIER_PIGEON.label

    assert KIND not in PLATFORMS
    with pytest.raises(ValidationError) as refused:
        _channel().full_clean()
    assert "kind" in refused.value.message_dict


@pytest.mark.django_db
def test_admin_offers_a_registered_kind_by_its_label_in_every_list_of_kinds(admin_client):
    with registered(CARRIER_PIGEON):
        ChannelFactory(kind=KIND, name="Pigeon loft", slug="pigeon-loft", config={})
        channels = admin_client.get(reverse("admin:channels_channel_changelist")).content.decode()
        picker = admin_client.get(reverse("admin:channels_channel_add")).content.decode()
        rule_form = admin_client.get(reverse("admin:mentions_rule_add")).content.decode()

    assert f'href="?kind={KIND}"' in picker and CARRIER_PIGEON.label in picker
    assert f"?kind__exact={KIND}" in channels  # the changelist's filter
    assert channels.count(CARRIER_PIGEON.label) == 2  # the filter and the channel's row
    assert f'value="{KIND}"' in rule_form and CARRIER_PIGEON.label in rule_form  # a rule's channel kinds
    assert all(p.label in rule_form for p in platforms())
