"""The demo desk's feed channel (`seed_demo` makes it; channels.demo.channels collects every package's `DEMO` through
the registry) and its week (`DEMO_THREADS`, the spec's `threads`, collected by channels.demo.threads): a community blog
and another project's changelog that mention the product a few times in the week, answered by this package's replay
(`replay.py`). Each entry is a thread of its own (days before the week's end, hour of the day in UTC); what the desk
did next is its `outcome`; what a reader makes of it is its `truth` (channels/demo/threads/thread.py): the blog's posts
are worth knowing, the changelog's entries a release bot's, noise."""

# ruff: noqa: E501  (the samples are prose: an entry is one string, as the feed sends it)

from __future__ import annotations

from typing import Any

from channels.demo.threads.thread import Thread

BLOG = "https://www.cncf.io/feed/"  # a WordPress blog's RSS 2.0
CHANGELOG = "https://github.com/renovatebot/renovate/releases.atom"  # a GitHub repository's releases, Atom

DEMO: dict[str, Any] = {
    "name": "Blogs and changelogs (demo sample)",
    "config": {"feeds": [BLOG, CHANGELOG], "keywords": ["gitlab"]},
    "our_accounts": ["GitLab Team"],
}

BLOG_POSTS: tuple[dict[str, Any], ...] = (
    {
        "days_ago": 5,
        "hour": 15,
        "title": "How we moved 400 repositories from Jenkins to GitLab CI",
        "author": "Priya Raman",
        "text": "We moved 400 repositories from Jenkins to GitLab CI in one quarter. Autoscaling runners and CI components did most of the work; the one thing we still script by hand is cleaning the container registry, because the cleanup policy kept images we expected it to remove.",
        "outcome": "solved",
        "tags": ("ci",),
        "truth": "worth_knowing",
    },
    {
        "days_ago": 2,
        "hour": 10,
        "title": "Signing container images in GitLab pipelines with Sigstore",
        "author": "Tomás Ibarra",
        "text": "A walkthrough of keyless signing with cosign in a GitLab pipeline. The ID token step works, but the docs did not say which audience the token needs for Fulcio, so the first attempts failed with an invalid audience error.",
        # Arguable: it names a gap in the docs, but a blog post asks nothing of the team.
        "truth": "worth_knowing",
    },
)
RELEASES: tuple[dict[str, Any], ...] = (
    {
        "days_ago": 4,
        "hour": 8,
        "title": "39.12.0",
        "author": "renovate-release",
        "text": "Features: gitlab: merge requests can now be set to merge when the pipeline succeeds through merge trains; platform/gitlab: read the default branch from the project API.",
        "truth": "noise",  # another project's release bot
    },
    {
        "days_ago": 1,
        "hour": 16,
        "title": "40.0.0",
        "author": "renovate-release",
        "text": "BREAKING CHANGES: platform/gitlab: GitLab versions older than 16.0 are no longer supported; the gitlabIgnoreApprovals option is removed.",
        "priority": "high",
        "tags": ("integrations",),
        # Arguable: worth knowing to whoever keeps the integrations, but it is a release bot's entry.
        "truth": "noise",
    },
)
DEMO_THREADS: tuple[dict[str, Any], ...] = (*BLOG_POSTS, *RELEASES)
DEMO["threads"] = tuple(Thread("feed", **fields) for fields in DEMO_THREADS)
