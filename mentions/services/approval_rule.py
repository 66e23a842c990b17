"""Whose replies wait for an advocate's approval (issue 44), in one place: the Send path (mentions.services.replies),
the ticket page's composer and the API ask it. Apart from mentions.services.approvals, which sends an approved reply
through the Send path, so that the Send path can ask it too."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

QUEUE = "mentions.work_queue"
DRAFT = "mentions.draft_replies"


def reply_needs_approval(user: Any) -> bool:
    """Whether `user`'s replies wait for an advocate's approval before they are posted: someone who works the queue
    only through an active "Advocate for a day" grant (mentions.permissions.backends), or an expert (the Experts role,
    `mentions.draft_replies`). Everyone whose roles give them the queue (the Advocates or Managers group, or the
    permission given to them by hand) and superusers send directly; so does an expert who is also an advocate.

    Read from the role's permissions (ModelBackend's sets, from memory: mentions.permissions.perm_cache) rather than the
    groups' names, so it costs no query for an advocate; the grant is looked up at most once per request. Someone
    with neither (a grant that expired) needs no approval: they cannot reply at all (ensure_can_act refuses)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_superuser:
        return False
    if QUEUE in ModelBackend().get_all_permissions(user):
        return False
    return bool(user.has_perm(QUEUE) or user.has_perm(DRAFT))


def can_draft(user: Any) -> bool:
    """Whether `user` may open a ticket page and reply there (directly or for approval)."""
    return bool(user.has_perm(QUEUE) or user.has_perm(DRAFT))
