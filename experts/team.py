"""Who counts as the team on a platform, besides the channel's own accounts: the one answer the ingest, the
thread watcher and the reports ask (registered as intake's TeamMembersHook in experts.apps).

An author is the team when their account on the platform is
- an active expert's identity in the directory (the expert's desk user too, when the directory names one), or
- tied to a desk user by sign-in: an allauth social account whose provider is the platform's kind (a desk user
  who signed in with, or connected, their account there), matched on its account id or the login name the
  provider gave. Only active users count: someone who left the company no longer answers for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.db.models.functions import Lower

from experts.models import ExpertIdentity
from intake.hooks import TeamMember

# The claims in which sign-in providers give the account's login name (the account id is `uid`); a display
# name is not one: two people may share it.
HANDLE_CLAIMS = ("login", "username", "preferred_username", "screen_name", "nickname")


def handle_key(handle: str) -> str:
    return (handle or "").strip().lstrip("@").casefold()


def _claimed_handles(uid: str, extra_data: Any) -> set[str]:
    claims = extra_data if isinstance(extra_data, dict) else {}
    found = {handle_key(uid)}
    found.update(handle_key(v) for k in HANDLE_CLAIMS if isinstance(v := claims.get(k), str))
    return found - {""}


def team_authors(*, kind: str, handles: Iterable[str]) -> dict[str, TeamMember]:
    """{lowercased handle without "@": who} for the team members among `handles` on `kind`. Two queries
    whatever the number of handles."""
    wanted = {handle_key(h) for h in handles if h} - {""}
    if not wanted:
        return {}
    found: dict[str, TeamMember] = {}
    experts = (
        ExpertIdentity.objects.annotate(handle_lower=Lower("handle"))
        .filter(kind=kind, handle_lower__in=wanted, expert__active=True)
        .values_list("handle_lower", "expert_id", "expert__user_id")
    )
    for handle, expert_id, user_id in experts:
        found[handle] = TeamMember(expert_id=expert_id, user_id=user_id)
    signed_in = SocialAccount.objects.filter(provider=kind, user__is_active=True).values_list(
        "user_id", "uid", "extra_data"
    )
    for user_id, uid, extra_data in signed_in:
        for handle in _claimed_handles(uid, extra_data) & wanted:
            known = found.get(handle)
            found[handle] = TeamMember(expert_id=known.expert_id if known else None, user_id=user_id)
    return found
