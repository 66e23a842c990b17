"""The demo's Mastodon conversations and channel, kept with the platform (the demo week, channels.demo.week, has
none of this kind yet): three threads on mastodon.social in the week's form (`Thread`: days ago, hour, author,
text, follow-ups minutes after, "@ours" for the team's account), and the channel a demo desk would poll them with.

`replay.py` serves them; `DEMO_CHANNEL` is the spec `channels.demo.channels.DEMO_CHANNELS` takes, for when the demo
desk seeds a Mastodon channel of its own.
"""

# ruff: noqa: E501  (the samples are prose: a post is one string, as the platform sends it)

from __future__ import annotations

from typing import Any

from channels.demo.week import OURS, Thread

INSTANCE = "mastodon.social"
TEAM = "gitlab"  # the team's account on the demo instance

THREADS: tuple[Thread, ...] = (
    Thread(
        "mastodon",
        5,
        10,
        "",
        "floss_fran",
        "@gitlab is the GitLab Runner supported on a Raspberry Pi 5? The arm64 package installs, but jobs hang at 'Preparing environment'.",
        (
            (
                35,
                OURS,
                "@floss_fran Yes, arm64 is supported. A hang there is usually the Docker executor pulling its helper image: set helper_image in config.toml, see https://docs.gitlab.com/runner/configuration/advanced-configuration/",
            ),
            (52, "floss_fran", "@gitlab that was it, jobs run now. Thanks!"),
        ),
        outcome="solved",
        tags=("runner",),
    ),
    Thread(
        "mastodon",
        2,
        15,
        "",
        "ops_ines@fosstodon.org",
        "Upgraded our self-managed #gitlab to 18.6 this morning: background migrations took about 20 minutes for 40k projects, no downtime.",
        outcome="waiting",
        tags=("upgrade",),
    ),
    Thread(
        "mastodon",
        1,
        8,
        "",
        "devrel_dan",
        "@gitlab the merge request diff view freezes Firefox for files over 5,000 lines. Anyone else seeing this? #gitlab",
        ((12, "kim_codes@hachyderm.io", "@devrel_dan @gitlab same here, Firefox only; Chrome is fine."),),
        outcome="waiting",
        priority="high",
        tags=("bug",),
    ),
)

DEMO_CHANNEL: dict[str, Any] = {
    "name": "Mastodon (demo sample)",
    # Mentions of @gitlab and the #gitlab hashtag; the first poll reads the whole week back.
    "config": {"base_url": f"https://{INSTANCE}", "hashtags": ["gitlab"], "handles": [TEAM], "backfill_hours": 192},
    "our_accounts": [f"{TEAM}@{INSTANCE}"],
    # The access token the demo instance (replay.py) accepts.
    "credentials": {"access_token": "demo-mastodon-token-not-a-secret"},
}
