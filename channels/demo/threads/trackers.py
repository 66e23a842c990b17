"""The demo week where work is tracked and reported: GitLab issues, the community mailbox, the status page's
webhook and the Terraform provider's GitHub repository (an issue with a screenshot, then a discussion)."""

# ruff: noqa: E501  (the samples are prose: a post is one string, as the platform sends it)

from __future__ import annotations

from channels.adapters.base import Media

from .thread import OURS, Thread

THREADS: tuple[Thread, ...] = (
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
        truth="needs_response",
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
        truth="needs_response",
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
        truth="needs_response",
    ),
    Thread(
        "email",
        1,
        10,
        "Open-source programme application stuck",
        "maintainer@example.net",
        "We applied for the GitLab for Open Source programme three weeks ago and haven't heard back.",
        # The demo's long thread (six messages, the team model's summary starts at six): still waiting on the team.
        (
            (
                95,
                OURS,
                "Thanks for writing in! Could you send the project's address and the e-mail the application was made with? I'll ask the programme team where it stands.",
            ),
            (
                140,
                "maintainer@example.net",
                "Sure: https://gitlab.com/kestrel-ci/kestrel, applied as maintainer@example.net on the 3rd. We're an MIT-licensed CI plugin with 14 maintainers.",
            ),
            (
                230,
                OURS,
                "Thank you. I've passed it to the programme team and asked them to look at it this week; I'll write as soon as I hear back.",
            ),
            (
                300,
                "co.maintainer@example.net",
                "Adding myself as co-maintainer: our free CI minutes run out on the 1st, which is why we're keen. Is there anything we can do meanwhile?",
            ),
            (
                420,
                "maintainer@example.net",
                "Any news from the programme team? We'd also like to know whether membership has to be renewed every year.",
            ),
        ),
        outcome="waiting",
        tags=("pricing",),
        truth="needs_response",
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
        # Arguable: news of our own incident, but a status page's bot posts it and nobody answers a bot.
        truth="noise",
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
        # Arguable, as above: the status page's bot.
        truth="noise",
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
        # GitHub has no attachment list: the image is the body's markdown above, which the parser reads.
        media=(Media("image", "https://user-images.githubusercontent.com/5421/plan-output.png", alt="plan output"),),
        truth="needs_response",
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
        truth="needs_response",
    ),
)
