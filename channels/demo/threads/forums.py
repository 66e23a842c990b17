"""The demo week on the question-and-answer places: Stack Overflow, the blog's comments (Disqus) and the community
forum (Discourse)."""

# ruff: noqa: E501  (the samples are prose: a post is one string, as the platform sends it)

from __future__ import annotations

from .thread import OURS, Thread

THREADS: tuple[Thread, ...] = (
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
        truth="needs_response",
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
        truth="needs_response",
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
        truth="needs_response",
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
        truth="needs_response",
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
        truth="needs_response",
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
        truth="needs_response",
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
        truth="needs_response",
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
        truth="needs_response",
    ),
)
