"""The demo week's question answered by the community: someone outside the team answers on Reddit, and the asker
thanks them in a reply to that comment. The desk marks the ticket answered by the community
(intake.pipeline.thanked) and offers the close."""

# ruff: noqa: E501  (the samples are prose: a post is one string, as the platform sends it)

from __future__ import annotations

from .thread import Thread

THREADS: tuple[Thread, ...] = (
    Thread(
        "reddit",
        1,
        11,
        "Pages site 404s after renaming the project",
        "static_sam",
        "Renamed my project from `blog` to `sam.gitlab.io` and now every page is a 404. The pipeline is green and the artifacts have public/. What did I break?",
        (
            (
                35,
                "pages_pia",
                "Renaming doesn't redeploy: Pages serves the last deployment under the old path until a new one runs. Retry the pages job (or push anything) and give it a few minutes.",
            ),
            (80, "static_sam", "that did the trick, cheers! it's back up"),
        ),
        tags=("pages",),
    ),
)
