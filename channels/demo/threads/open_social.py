"""The demo week on the open social web: Mastodon (mastodon.social, with people from other instances, handles in
full, hashtags) and Bluesky (short posts, at most 300 graphemes, handles as domain names). Each has one post with
a screenshot (`media`)."""

# ruff: noqa: E501  (the samples are prose: a post is one string, as the platform sends it)

from __future__ import annotations

from channels.adapters.base import Media

from .thread import OURS, Thread

MASTODON_FILES = "https://files.mastodon.social/media_attachments/files/115/601/228/310/044/512"
# Bluesky's image CDN names the author's DID (the demo's, for dev-priya.bsky.social) and the blob's CID.
BLUESKY_IMAGE = "did:plc:hizreo2oywfiuaugfpwzptuc/bafkreikylgcd5xihj6e3cn4lrg3fhfdjehzxdpn236r2zw5wfbkks3qj6q@jpeg"

THREADS: tuple[Thread, ...] = (
    # --- Mastodon (mastodon.social) ---------------------------------------------------------------------
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
        truth="needs_response",
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
        truth="worth_knowing",
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
        media=(
            Media(
                "image",
                f"{MASTODON_FILES}/original/d41f6a0e2c7b9358.png",
                f"{MASTODON_FILES}/small/d41f6a0e2c7b9358.png",
                "Firefox's 'This page is slowing down Firefox' bar above a merge request's diff of schema.rb",
            ),
        ),
        truth="needs_response",
    ),
    # --- Bluesky (bsky.social) --------------------------------------------------------------------------
    Thread(
        "bluesky",
        4,
        13,
        "",
        "dev_priya",
        "@gitlab.com the CI lint says 'jobs config should contain at least one visible job' but every job is right there, just behind rules 🤔 screenshot below",
        (
            (
                20,
                OURS,
                "@dev-priya.bsky.social The lint counts jobs that can run: if every job's rules can skip it, add a workflow:rules block for when the pipeline runs. https://docs.gitlab.com/ci/yaml/workflow/",
            ),
            (45, "dev_priya", "workflow:rules it was, pipeline is green 🙏"),
            (
                60,
                OURS,
                "@dev-priya.bsky.social Glad it's green! workflow:rules trips up many pipelines; the docs page on it has more examples.",
            ),
        ),
        outcome="solved",
        tags=("ci",),
        media=(
            Media(
                "image",
                f"https://cdn.bsky.app/img/feed_fullsize/plain/{BLUESKY_IMAGE}",
                f"https://cdn.bsky.app/img/feed_thumbnail/plain/{BLUESKY_IMAGE}",
                "The pipeline editor's Validate tab: 'jobs config should contain at least one visible job'",
            ),
        ),
        truth="needs_response",
    ),
    Thread(
        "bluesky",
        2,
        18,
        "",
        "selfhost_sam",
        "hot take: the gitlab 18.6 upgrade was the smoothest in years. 12 min of background migrations for 3k projects, zero downtime #selfhosted",
        (
            (
                30,
                "noor_ops",
                "same here on our gitlab, and the registry metadata database migration finally went through",
            ),
        ),
        outcome="waiting",
        tags=("upgrade",),
        truth="worth_knowing",
    ),
    Thread(
        "bluesky",
        0,
        9,
        "",
        "ml_mateo",
        "@gitlab.com can Duo Code Suggestions use our own model served with vLLM on a self-managed instance? The docs and our account rep disagree",
        (
            (
                25,
                OURS,
                "@ml-mateo.bsky.social Yes: GitLab Duo Self-Hosted supports models served with vLLM. The supported models page lists which; which one do you plan to run?",
            ),
        ),
        outcome="answered",
        tags=("duo",),
        truth="needs_response",
    ),
)
