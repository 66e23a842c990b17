"""The demo week's question answered by the community: someone outside the team answers on Reddit, and the asker
thanks them in a reply to that comment. The desk marks the ticket answered by the community
(intake.pipeline.thanked) and offers the close.

Then a forum question of this morning that our answer did not settle: the asker's follow-up waits on our next reply
(its clock, mentions.services.next_reply, runs on the ticket and in Play's deadline order)."""

# ruff: noqa: E501  (the samples are prose: a post is one string, as the platform sends it)

from __future__ import annotations

from .thread import OURS, Thread

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
        # The community answered it, but the opening post is a question in the product's own subreddit.
        truth="needs_response",
    ),
    Thread(
        "discourse",
        0,
        6,
        "Approvals reset after every push: can we keep them?",
        "approver_ama",
        "Every push to a merge request resets its approvals, and our reviewers approve again for a one-line fix. Is there a setting for that?",
        (
            (
                40,
                OURS,
                'Yes: Settings > Merge requests > Approval settings, then untick "Remove all approvals when commits are added to the source branch".',
            ),
            (150, "approver_ama", "Found it, but the box is greyed out for me. Is it set at the group level?"),
        ),
        tags=("approvals",),
        truth="needs_response",
    ),
)
