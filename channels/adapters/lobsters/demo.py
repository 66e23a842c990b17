"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts and our account there, and the platform's week of
threads (`threads`, collected by channels.demo.threads after the shared groups): stories that mention GitLab in the
tags the channel reads, and their comments, as a week on Lobsters goes (text posts and an "ask", technical and
terse, one of them answered by our account and thanked)."""

# ruff: noqa: E501  (the samples are prose: a post is one string, as the platform sends it)

from __future__ import annotations

from typing import Any

from channels.demo.threads.thread import OURS, Thread

KIND = "lobsters"

THREADS: tuple[Thread, ...] = (
    Thread(
        KIND,
        4,
        15,
        "Running GitLab CE on a 4 GB VPS: what did you turn off?",
        "pinewood",
        "I moved our small team's repos to a self-hosted GitLab CE on a 4 GB box. It works, but Puma and Sidekiq push it into swap every afternoon. What did you turn off to keep GitLab in 4 GB?",
        (
            (
                50,
                "kestrel",
                "Prometheus and its exporters first: on a box that small they are a quarter of the memory and you likely scrape nothing.",
            ),
            (
                95,
                OURS,
                "The memory-constrained guide covers this: Puma in single mode (puma['worker_processes'] = 0), sidekiq['concurrency'] = 10, and the monitoring stack off. That usually lands around 2.5 GB: https://docs.gitlab.com/omnibus/settings/memory_constrained_envs.html",
            ),
            (
                140,
                "pinewood",
                "Single mode plus the guide's Sidekiq setting got it to 2.6 GB. Swap is quiet now, thanks.",
            ),
        ),
        outcome="solved",
        tags=("self-managed",),
        # Arguable: their problem, but asked of other users ("what did you turn off?") in a general community.
        truth="worth_knowing",
    ),
    Thread(
        KIND,
        1,
        9,
        "git push to GitLab hangs at 'Writing objects' behind nginx",
        "tarn",
        "Pushes over HTTPS to our GitLab hang at 'Writing objects: 100%' for anything over ~50 MB, then time out. SSH pushes are fine. GitLab sits behind our own nginx. Where do I look?",
        (
            (
                30,
                "mvdb",
                "Had exactly this: client_max_body_size on the outer nginx. GitLab's bundled nginx allows large bodies, yours probably does not.",
            ),
        ),
        tags=("git",),
        # Arguable: asked of the community, not the team, but a trouble report with the product ("where do I look?").
        truth="needs_response",
    ),
    Thread(
        KIND,
        0,
        7,
        "Ask: moving CI from Jenkins to GitLab, what bit you?",
        "quill",
        "We are moving ~40 Jenkins pipelines to GitLab CI this quarter. For those who did it: what bit you that the migration docs do not mention?",
        (
            (
                25,
                "hollis",
                "Shared libraries. Every Groovy helper became a CI/CD component for us, which is better in the end but took longer than the pipelines themselves.",
            ),
            (
                60,
                OURS,
                "Two that come up often: Jenkins' workspace persists between builds and GitLab's jobs start clean (cache and artifacts replace it), and credentials become CI/CD variables, masked and protected per branch. The migration guide has a table of the rest: https://docs.gitlab.com/ci/migration/jenkins/",
            ),
        ),
        outcome="answered",
        tags=("ci",),
        truth="worth_knowing",
    ),
)

DEMO: dict[str, Any] = {
    "name": "Lobsters (demo sample)",
    # The first poll reaches back over the demo's whole week (the default is 24 hours).
    "config": {"tags": ["devops", "vcs"], "keywords": ["gitlab"], "backfill_hours": 192},
    "our_accounts": ["gitlab_team"],
    "threads": THREADS,
}
