"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts and our account there, and the platform's week of
threads (`threads`, collected by channels.demo.threads after the shared groups): articles tagged with the product
and their comments, as a week on dev.to goes (a tutorial with a question in its comments that we answered, a
migration write-up, and this morning's post about a pipeline that fails)."""

# ruff: noqa: E501  (the samples are prose: an article's description and a comment are one string each)

from __future__ import annotations

from typing import Any

from channels.demo.threads.thread import OURS, Thread

KIND = "devto"

THREADS: tuple[Thread, ...] = (
    Thread(
        KIND,
        4,
        10,
        "Deploying a static site to GitLab Pages in 5 minutes",
        "sofia_codes",
        "A short walkthrough: a .gitlab-ci.yml with one pages job, the public/ folder, and a custom domain with HTTPS. Works for Hugo, Astro and plain HTML.",
        (
            (
                90,
                "dmitri_ui",
                "Nice one! My pages job passes but the site is a 404. The artifact has public/index.html. Anything I missed?",
            ),
            (
                150,
                OURS,
                "Since 17.4 the job can be any name as long as it has pages: true (or is called pages), and the artifact must be public/ at the project root. If it is a project site, the URL includes the project path: https://docs.gitlab.com/user/project/pages/",
            ),
            (170, "dmitri_ui", "That was it: I was opening the group URL, not the project one. Thanks!"),
        ),
        outcome="solved",
        tags=("pages",),
        truth="worth_knowing",
    ),
    Thread(
        KIND,
        2,
        14,
        "What we learned moving 200 repos from Bitbucket to GitLab",
        "hannah_devops",
        "Our notes from a three-week migration: the importer kept pull request comments but not build statuses, LFS objects needed a second pass, and webhooks all had to be re-created by hand.",
        (
            (
                45,
                "kwame_a",
                "Did you find a way to keep the build statuses? We are about to start the same move.",
            ),
        ),
        tags=("migration",),
        truth="worth_knowing",
    ),
    Thread(
        KIND,
        0,
        7,
        "My GitLab pipeline fails only on main: a debugging story",
        "li_wei",
        "Everything passed on feature branches, then main failed with 'variable not found'. It took me a day to see the variable was protected, so only protected branches could read it... and main was not protected any more after a rename.",
        (),
        tags=("ci",),
        # Arguable: a pipeline that fails, but a blog post telling how the author fixed it; nothing asked.
        truth="worth_knowing",
    ),
)

DEMO: dict[str, Any] = {
    "name": "dev.to articles (demo sample)",
    # The first poll reaches back over the demo's whole week (the default is 24 hours); the articles it takes in have
    # their comments read from the next poll on.
    "config": {"tags": ["gitlab"], "backfill_hours": 192},
    "our_accounts": ["gitlab"],
    "threads": THREADS,
}
