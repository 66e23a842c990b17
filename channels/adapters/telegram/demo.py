"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our bot there, the bot token the demo's replay accepts
and the connected account (the bot, as "connect with the channel's bot token" stores it), and the platform's week of
threads (`threads`, collected by channels.demo.threads after the shared groups): the product's public community
group, where people ask quick questions in chat style and answer each other, and the team's bot answers as us."""

# ruff: noqa: E501  (the samples are prose: a message is one string, as the platform sends it)

from __future__ import annotations

from typing import Any

from channels.demo.threads.thread import OURS, Thread

KIND = "telegram"
BOT = "gitlab_desk_bot"
# A bot token's shape is "<bot id>:<secret>" (the adapter refuses any other); this one only the replay accepts.
BOT_TOKEN = "7000000042:demo-telegram-bot-token-not-a-secret"  # noqa: S105  (a fake only the replay takes)

THREADS: tuple[Thread, ...] = (
    Thread(
        KIND,
        5,
        8,
        "",
        "anya_dev",
        "Hi all! Our self-hosted runner picks up jobs but every docker build fails with 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock'. Runner 17.5 with the docker executor. Any idea?",
        (
            (
                12,
                "pavel_k",
                "You need privileged = true in the runner's config.toml for docker-in-docker, or mount the socket.",
            ),
            (
                40,
                OURS,
                "Either works: for dind set privileged = true under [runners.docker] and use the docker:dind service with DOCKER_TLS_CERTDIR; to reuse the host's daemon mount /var/run/docker.sock in volumes instead. Both are in https://docs.gitlab.com/ci/docker/using_docker_build/",
            ),
            (55, "anya_dev", "privileged = true did it, builds are green. Thank you!"),
        ),
        outcome="solved",
        tags=("runner",),
        truth="needs_response",
    ),
    Thread(
        KIND,
        2,
        17,
        "",
        "mkoval",
        "Is there a way to make a merge request pipeline skip a job when only docs/ changed? rules: changes: seems to run it anyway on the first push.",
        (
            (
                25,
                "lena_ops",
                "On a new branch there is no base to compare with, so changes: is always true. Try rules: changes: compare_to: refs/heads/main.",
            ),
        ),
        tags=("ci",),
        truth="needs_response",
    ),
    Thread(
        KIND,
        0,
        6,
        "",
        "tomasz_w",
        "Upgrading from 17.3 to 17.6 on Omnibus: can I jump straight there or do I need the 17.5 stop first? The upgrade path tool shows a required stop but I am not sure it applies to us.",
        (),
        priority="high",
        tags=("self-managed",),
        truth="needs_response",
    ),
)

DEMO: dict[str, Any] = {
    "name": "Telegram community group (demo sample)",
    # The group's id (a supergroup's, -100…); the replay serves it as the public group t.me/gitlab_demo_chat.
    "config": {"chats": ["-1001500000042"]},
    "our_accounts": [BOT],
    "credentials": {"bot_token": BOT_TOKEN},
    # The account posts as the channel's bot, as `bot_token_grant` stores it.
    "account_tokens": {"access_token": BOT_TOKEN, "token_type": "bot"},
    "threads": THREADS,
}
