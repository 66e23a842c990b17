"""The demo week on Discord, the community server: questions in the #help text channel, answered in a thread the
question starts (named after its first words, as Discord's client suggests), and a post in the #duo-and-ide forum
channel (its title the post's name). Plain text with Markdown code spans; one question has a screenshot."""

# ruff: noqa: E501  (the samples are prose: a post is one string, as the platform sends it)

from __future__ import annotations

from channels.adapters.base import Media

from .thread import OURS, Thread

# An attachment's address names the channel it was posted in (#help) and the attachment's own id.
HELP_FILES = "attachments/1083790520117211186/1312448120334458910"

THREADS: tuple[Thread, ...] = (
    Thread(
        "discord",
        5,
        15,
        "",
        "rustacean_rae",
        "hey all 👋 `gitlab-runner register` with our old registration token says it's deprecated. What's the new way on a self-managed 18.x instance?",
        (
            (
                8,
                "yaml_yuki",
                "you create the runner in the UI first (Settings > CI/CD > Runners > New project runner), it gives you a glrt- token",
            ),
            (
                22,
                OURS,
                "Exactly. Then `gitlab-runner register --url https://your.instance --token glrt-…`; tags and the executor's other settings are set in the UI now. Docs: https://docs.gitlab.com/ci/runners/new_creation_workflow/",
            ),
            (40, "rustacean_rae", "worked first try, thanks both 🎉"),
        ),
        outcome="solved",
        tags=("runner",),
        truth="needs_response",
    ),
    Thread(
        "discord",
        2,
        20,
        "",
        "ci_casey",
        "My MR from a fork never starts: 'This job is stuck because the project doesn't have any runners online assigned to it.' Instance runners are on in the parent project. Screenshot attached",
        (
            (
                35,
                OURS,
                "Hi! A fork's pipeline runs in the fork, so the fork's CI/CD settings count: is 'Enable instance runners for this project' on there? If it is, which tags does the job ask for?",
            ),
        ),
        outcome="answered",
        tags=("ci",),
        media=(
            Media(
                "image",
                f"https://cdn.discordapp.com/{HELP_FILES}/stuck-job.png",
                f"https://media.discordapp.net/{HELP_FILES}/stuck-job.png",
                "The job page: 'This job is stuck because the project doesn't have any runners online assigned to it'",
            ),
        ),
        truth="needs_response",
    ),
    Thread(
        "discord",
        1,
        11,
        "Duo Chat panel gone in VS Code after the extension update",
        "vscode_val",
        "Since updating the GitLab Workflow extension the Duo Chat panel is gone. Signed in, Duo Pro seat assigned, VS Code 1.96. Anyone else?",
        ((50, "dmitri_dev", "same on two machines. Rolling the extension back one version brings the panel back"),),
        outcome="waiting",
        priority="high",
        tags=("duo",),
        truth="needs_response",
    ),
)
