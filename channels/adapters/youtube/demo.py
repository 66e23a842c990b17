"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there (the team's YouTube channel), its
credentials and the tokens of our connected Google account, which this package's demo replay accepts; and the
platform's week of threads (`threads`, collected by channels.demo.threads after the shared groups): comments on the
team's videos, as a week of a developer-tools channel goes (a question under a tutorial, a bug seen in a release
video, one answered by our channel and thanked)."""

# ruff: noqa: E501  (the samples are prose: a comment is one string, as the platform sends it)

from __future__ import annotations

from typing import Any

from channels.demo.threads.thread import OURS, Thread

KIND = "youtube"
TEAM_CHANNEL = "UCdemoGitLabChannel00001"  # the demo team's channel id (the shape of one: "UC" and 22 characters)

THREADS: tuple[Thread, ...] = (
    Thread(
        KIND,
        5,
        16,
        "Tutorial: GitLab CI caching explained",
        "devon_builds",
        "Great tutorial! But my node_modules cache is empty on every job even with cache:paths set. Is it per branch by default?",
        (
            (
                40,
                OURS,
                "It is keyed per job name unless you set cache:key. Use cache:key:files with your package-lock.json so every branch shares it while the lock file is unchanged: https://docs.gitlab.com/ci/caching/",
            ),
            (
                75,
                "devon_builds",
                "cache:key:files did it, 40 seconds off every pipeline. Thank you!",
            ),
        ),
        outcome="solved",
        truth="needs_response",
    ),
    Thread(
        KIND,
        2,
        19,
        "What's new in GitLab 18.6",
        "mariekodes",
        "The new merge train view in the video doesn't show up on our self-managed 18.6 instance. Is it behind a feature flag?",
        (
            (
                55,
                "ops_with_ana",
                "Same here on 18.6.1, nothing under Merge trains in the MR widget.",
            ),
        ),
        priority="high",
        truth="needs_response",
    ),
    Thread(
        KIND,
        0,
        8,
        "GitLab Runner autoscaling on Kubernetes in 10 minutes",
        "kubekid",
        "At 6:40 you set concurrent = 20, but my runner pods still run one job each. Which setting is the per-pod limit?",
        truth="needs_response",
    ),
)

DEMO: dict[str, Any] = {
    "name": "YouTube comments (demo sample)",
    # follow_days reaches back over the demo's whole week (the default is 3 days).
    "config": {"channel_ids": [TEAM_CHANNEL], "follow_days": 8},
    "our_accounts": ["GitLab"],
    "threads": THREADS,
    # The API key and OAuth client the demo replay accepts.
    "credentials": {
        "api_key": "demo-youtube-api-key-not-a-secret",
        "oauth_client_id": "demo-youtube-client.apps.googleusercontent.com",
        "oauth_client_secret": "demo-youtube-client-secret-not-a-secret",
    },
    # Our Google account's tokens, as a completed connection stores them.
    "account_tokens": {"access_token": "demo-youtube-access-token-not-a-secret", "token_type": "Bearer"},
}
