"""The Slack app manifest in the repository (slackapp/manifest.yml) asks for what the desk's listeners use and
points at the desk's own endpoints: a manifest that drifts from the code would install an app that is never
asked (a missing event) or refused (a missing scope). Its fields are Slack's manifest reference
(api.slack.com/reference/manifests)."""

from pathlib import Path

import yaml
from django.urls import reverse

MANIFEST = yaml.safe_load((Path(__file__).parents[1] / "manifest.yml").read_text())


def test_the_request_urls_are_the_desks_endpoints():
    settings = MANIFEST["settings"]
    assert settings["event_subscriptions"]["request_url"].endswith(reverse("slackapp:events"))
    assert settings["interactivity"]["request_url"].endswith(reverse("slackapp:interactions"))
    assert settings["interactivity"]["is_enabled"] is True


def test_the_shortcut_events_and_scopes_the_desk_uses():
    shortcut = MANIFEST["features"]["shortcuts"][0]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", "create_ticket")
    assert {"message.channels", "reaction_added"} <= set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "channels:read", "channels:history", "reactions:read", "commands"} <= scopes
