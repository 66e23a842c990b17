"""A week of conversations for the demo desk on every channel kind but Hacker News (which replays its own
samples through its real adapter, see channels.adapters.hackernews.replay).

Each thread is a story that belongs to its platform: an opening post and the follow-ups that answer it, with
when they happened (days before today, hour of the day in UTC, minutes after the opening post). Posts by the
channel's own account (`OURS`) are our replies, stored as such by the ingest pipeline. `outcome` says what the
desk did next: "solved", "answered" (our reply, waiting on the requester), or "waiting" (nobody answered yet:
the older ones breach the first-reply target). `priority` marks the ones a release day made urgent.

`thread_mentions` turns a thread into the IncomingMention items an adapter hands to intake, cleaned at the same
boundary (`channels.adapters.guard.item_mentions`) as a polled page.
"""

# ruff: noqa: E501  (the samples are prose: a post is one string, as the platform sends it)

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from channels.adapters.base import IncomingMention
from channels.adapters.guard import item_mentions

OURS = "@ours"  # stands for the channel's own account in the samples below


@dataclass(frozen=True)
class Thread:
    kind: str
    days_ago: int
    hour: int
    title: str
    author: str
    text: str
    followups: tuple[tuple[int, str, str], ...] = ()
    outcome: str = "waiting"
    priority: str = "normal"
    tags: tuple[str, ...] = field(default=())


THREADS: tuple[Thread, ...] = (
    # --- X / Twitter --------------------------------------------------------------------------------
    Thread(
        "twitter",
        6,
        9,
        "",
        "ana_builds",
        "@gitlab is the 18.6 upgrade safe to run on a Friday? asking for a friend",
        (
            (
                25,
                OURS,
                "@ana_builds Ha, we'd say Tuesday. The upgrade notes list the background migrations to wait for.",
            ),
        ),
        outcome="solved",
        tags=("upgrade",),
    ),
    Thread(
        "twitter",
        3,
        14,
        "",
        "k8s_kenji",
        "@gitlab container registry pulls failing with 429 for our public images since this morning. Anyone?",
        (
            (12, "sre_marta", "@k8s_kenji same in eu-west, started ~13:50 UTC"),
            (
                40,
                OURS,
                "@k8s_kenji @sre_marta Thanks both, we're looking into registry rate limits now. Updates on status.gitlab.com.",
            ),
        ),
        outcome="answered",
        priority="high",
        tags=("registry",),
    ),
    Thread(
        "twitter",
        3,
        16,
        "",
        "devrel_dee",
        "Release day! @gitlab 18.6 merge trains finally skip the flaky job retry. Trying it on our monorepo today",
        (
            (
                90,
                "devrel_dee",
                "@gitlab update: the pipeline editor shows the wrong include path on child pipelines, screenshot in thread",
            ),
        ),
        outcome="waiting",
        priority="high",
    ),
    Thread(
        "twitter",
        0,
        8,
        "",
        "oss_ola",
        "@gitlab how do I get an education licence for my university's self-managed instance?",
        outcome="waiting",
        tags=("pricing",),
    ),
    # --- Reddit -------------------------------------------------------------------------------------
    Thread(
        "reddit",
        5,
        11,
        "Self-hosted GitLab eats 12 GB of RAM with 20 users, normal?",
        "u_homelabber",
        "Running the Omnibus package on a small VM. Puma and Sidekiq together take 12 GB. Which settings can I turn down?",
        (
            (
                35,
                "tuned_tux",
                "Set puma['worker_processes'] = 2 and turn off Prometheus if you don't use it. Ours runs in 4 GB.",
            ),
            (
                120,
                OURS,
                "The memory-constrained guide covers exactly this: https://docs.gitlab.com/omnibus/settings/memory_constrained_envs.html",
            ),
            (300, "u_homelabber", "Down to 5 GB with those two settings, thanks!"),
        ),
        outcome="solved",
    ),
    Thread(
        "reddit",
        3,
        10,
        "Is the GitLab registry rate-limited now? Docker pulls 429 from CI",
        "pipeline_pete",
        "Our CI pulls images from registry.gitlab.com and half the jobs fail with 429 since 10 am.",
        ((20, "cache_me_if", "Use the dependency proxy, it caches upstream and your jobs stop hitting the limit."),),
        outcome="waiting",
        priority="high",
        tags=("registry",),
    ),
    Thread(
        "reddit",
        1,
        19,
        "GitLab Duo vs Copilot for code review, anyone compared?",
        "reviewer_rin",
        "We have both on trial. Duo's MR summaries are nice; has anyone measured review time before and after?",
        outcome="waiting",
    ),
    # --- Stack Overflow -----------------------------------------------------------------------------
    Thread(
        "stackexchange",
        6,
        13,
        "rules:changes does not trigger on merge request pipelines",
        "jdoe_dev",
        "My job has rules: - changes: [src/**/*] but never runs in the merge request pipeline, only on push. What am I missing?",
        (
            (
                45,
                "ci_wizard",
                "rules:changes compares against the target branch only with compare_to on branch pipelines; in MR pipelines check you use workflow:rules.",
            ),
            (
                180,
                OURS,
                "Also make sure the job doesn't have an only: section left over; mixing only and rules silently drops the job.",
            ),
        ),
        outcome="solved",
        tags=("ci",),
    ),
    Thread(
        "stackexchange",
        4,
        15,
        "GitLab Runner on Kubernetes: pods stuck in Pending with helper image pull error",
        "kube_karl",
        "Runner 17.x with the Kubernetes executor: every job pod stays Pending, event says ErrImagePull for gitlab-runner-helper.",
        ((60, "kube_karl", "Edit: our cluster has no internet egress; is there a way to mirror the helper image?"),),
        outcome="waiting",
        tags=("kubernetes", "ci"),
    ),
    Thread(
        "stackexchange",
        2,
        9,
        "How to migrate Jenkins shared libraries to GitLab CI includes?",
        "legacy_lena",
        "We have 40 Groovy shared library steps. Is include: with CI/CD components the equivalent?",
        (
            (
                50,
                OURS,
                "Yes: CI/CD components are the closest match, versioned and published in the catalog. The Jenkins migration guide maps each concept.",
            ),
        ),
        outcome="answered",
        tags=("ci",),
    ),
    # --- Disqus (blog comments) ---------------------------------------------------------------------
    Thread(
        "disqus",
        5,
        17,
        "Comment on: Introducing merge trains for everyone",
        "blog_reader_bo",
        "Great post. Does the merge train also apply to forks, or only branches in the same project?",
        ((240, OURS, "Only same-project branches for now; forks are tracked in the linked epic."),),
        outcome="solved",
    ),
    Thread(
        "disqus",
        2,
        21,
        "Comment on: GitLab 18.6 released",
        "night_owl_ops",
        "The changelog mentions a new registry cleanup policy default. Will it delete my untagged images on upgrade?",
        outcome="waiting",
        tags=("registry", "upgrade"),
    ),
    # --- Discourse (the community forum) ------------------------------------------------------------
    Thread(
        "discourse",
        6,
        10,
        "Pipeline stuck in 'created' state after upgrading to 18.5",
        "forum_felix",
        "After the upgrade every new pipeline stays in created. Sidekiq is running. Logs show nothing obvious.",
        (
            (30, "forum_mod_mia", "Can you check the pipeline_processing queue in the admin area's background jobs?"),
            (95, "forum_felix", "The queue has 20k jobs. Restarting sidekiq did not drain it."),
            (
                140,
                OURS,
                "That matches a known issue with a stuck migration; running the post-upgrade task from the upgrade notes drains it.",
            ),
        ),
        outcome="solved",
        tags=("upgrade",),
    ),
    Thread(
        "discourse",
        3,
        12,
        "Release day: 18.6 package signature check failing on Debian",
        "deb_dan",
        "apt refuses the 18.6 package: the signature check fails with EXPKEYSIG. Did the packaging key rotate?",
        ((15, "deb_dora", "Same here on bookworm."),),
        outcome="waiting",
        priority="urgent",
        tags=("upgrade",),
    ),
    Thread(
        "discourse",
        1,
        16,
        "Best way to run review apps with the Kubernetes agent?",
        "agent_alex",
        "We moved from certificate-based clusters to the agent. What's the pattern for per-MR review apps now?",
        outcome="waiting",
        tags=("kubernetes",),
    ),
    # --- GitLab issues ------------------------------------------------------------------------------
    Thread(
        "gitlab",
        4,
        8,
        "Docs: the upgrade path page links to a removed anchor",
        "docs_dora",
        "On the upgrade path page, the 'required stops' link goes to an anchor that no longer exists.",
        ((60, OURS, "Thanks! Fixed in the docs MR linked here; it ships with the next docs deploy."),),
        outcome="solved",
    ),
    Thread(
        "gitlab",
        2,
        11,
        "Container registry cleanup policy removed tagged images",
        "reg_ray",
        "After enabling the cleanup policy with keep-n=10, images tagged 'release-*' were removed although the regex should keep them.",
        ((120, "reg_ray", "Reproduced on a fresh project, regex is release-.*"),),
        outcome="waiting",
        priority="high",
        tags=("registry",),
    ),
    # --- E-mail (the community mailbox) -------------------------------------------------------------
    Thread(
        "email",
        5,
        9,
        "Speaking at our meetup about GitLab CI?",
        "meetup.organiser@example.org",
        "Hi, we run a DevOps meetup in Lisbon and would love someone from GitLab to talk about CI components in January.",
        (
            (
                300,
                OURS,
                "Hi! Thank you for the invitation; I've asked our evangelists and will come back to you this week.",
            ),
        ),
        outcome="answered",
    ),
    Thread(
        "email",
        1,
        10,
        "Open-source programme application stuck",
        "maintainer@example.net",
        "We applied for the GitLab for Open Source programme three weeks ago and haven't heard back.",
        outcome="waiting",
        tags=("pricing",),
    ),
    # --- Webhook (the status page's incident feed) --------------------------------------------------
    Thread(
        "webhook",
        3,
        13,
        "Status page: elevated error rates on registry.gitlab.com",
        "statuspage",
        "Investigating: some users see 429 and 503 answers from the container registry.",
        (
            (50, "statuspage", "Identified: a rate-limit rule was applied to authenticated pulls. Rolling back."),
            (110, "statuspage", "Resolved: error rates are back to normal."),
        ),
        outcome="solved",
        tags=("registry",),
    ),
    Thread(
        "webhook",
        0,
        7,
        "Status page: delayed CI job starts on SaaS runners",
        "statuspage",
        "Investigating: Linux small runners are picking up jobs with a delay of up to 10 minutes.",
        outcome="waiting",
        tags=("ci",),
    ),
    # --- GitHub (the Terraform provider's repository): an issue, then a discussion ---------------------
    Thread(
        "github",
        3,
        14,
        "gitlab_project import fails with 'invalid visibility level'",
        "tf_tomas",
        "`terraform import gitlab_project.app 1234` fails with: invalid visibility level 'internal'. The plan output: ![plan output](https://user-images.githubusercontent.com/5421/plan-output.png)",
        (
            (45, OURS, "Thanks! Internal projects exist on self-managed instances only: which instance is this?"),
            (90, "tf_tomas", "Self-managed 17.5, and the group itself is internal."),
        ),
    ),
    Thread(
        "github",
        1,
        10,
        "Managing group access tokens with the provider?",
        "iac_ines",
        "Is there a resource for group access tokens, or only for project ones? We rotate ours every month.",
        (
            (30, "tf_tomas", "gitlab_group_access_token exists, with rotation_configuration for a monthly rotation."),
            (75, OURS, "Yes: the resource's page has a rotation example, and the token is replaced before it expires."),
        ),
        outcome="solved",
    ),
)


def thread_start(thread: Thread, today: datetime) -> datetime:
    day = today.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=thread.days_ago)
    return day + timedelta(hours=thread.hour)


def thread_mentions(
    thread: Thread, *, index: int, today: datetime, ours: str, until: datetime | None = None
) -> list[IncomingMention]:
    """The thread's posts that have happened by `until` (default `today`, the day its week ends),
    opening post first, as cleaned mentions."""
    until = until or today
    start = thread_start(thread, today)
    root = f"demo-{thread.kind}-{index}"
    posts = [(0, thread.author, thread.text), *thread.followups]
    found: list[IncomingMention] = []
    for number, (minutes, author, text) in enumerate(posts):
        at = start + timedelta(minutes=minutes)
        if at > until:
            break  # a follow-up still in the future for a thread opened this morning
        handle = ours if author == OURS else author
        mention = IncomingMention(
            external_id=root if number == 0 else f"{root}-{number}",
            created_at=at,
            text=text,
            author_handle=handle,
            author_name=handle,
            title=thread.title if number == 0 else "",
            parent_id="" if number == 0 else root,
            thread_id=root,
            raw={"demo": True, "thread": root},
        )
        found.extend(item_mentions(mention, lambda item: item))
    return found
