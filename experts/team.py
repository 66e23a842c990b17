"""Who counts as the team on a platform, besides the channel's own accounts: the one answer the ingest, the
thread watcher and the reports ask (registered as intake's TeamMembersHook in experts.apps).

An author is the team when their account on the platform is
- an active expert's identity in the directory (the expert's desk user too, when the directory names one), or
- tied to a desk user by sign-in: an allauth social account whose provider is the platform's kind (a desk user
  who signed in with, or connected, their account there), matched on its account id or the login name the
  provider gave. Only active users count: someone who left the company no longer answers for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.db.models.functions import Lower

from experts.models import ExpertIdentity
from intake.hooks import TeamMember
from mentions.rules import handle_key

# The claims in which sign-in providers give the account's login name (the account id is `uid`); a display
# name is not one: two people may share it.
HANDLE_CLAIMS = ("login", "username", "preferred_username", "screen_name", "nickname")


def _claimed_handles(uid: str, extra_data: Any) -> set[str]:
    claims = extra_data if isinstance(extra_data, dict) else {}
    found = {handle_key(uid)}
    found.update(handle_key(v) for k in HANDLE_CLAIMS if isinstance(v := claims.get(k), str))
    return found - {""}


def team_authors(*, kind: str, handles: Iterable[str]) -> dict[str, TeamMember]:
    """{lowercased handle without "@": who} for the team members among `handles` on `kind`. Two queries
    whatever the number of handles."""
    return {handle: who for (_, handle), who in team_authors_on(handles={kind: handles}).items()}


def team_authors_on(*, handles: Mapping[str, Iterable[str]]) -> dict[tuple[str, str], TeamMember]:
    """The same for several platforms at once, `handles` by kind: {(kind, lowercased handle): who}. Two
    queries whatever the number of platforms and handles (the reports ask for a month's answers at once)."""
    wanted = {(kind, handle_key(h)) for kind, some in handles.items() for h in some if h} - {(k, "") for k in handles}
    if not wanted:
        return {}
    kinds = {kind for kind, _ in wanted}
    found: dict[tuple[str, str], TeamMember] = {}
    experts = (
        ExpertIdentity.objects.annotate(handle_lower=Lower("handle"))
        .filter(kind__in=kinds, handle_lower__in={h for _, h in wanted}, expert__active=True)
        .values_list("kind", "handle_lower", "expert_id", "expert__user_id")
    )
    for kind, handle, expert_id, user_id in experts:
        if (kind, handle) in wanted:
            found[(kind, handle)] = TeamMember(expert_id=expert_id, user_id=user_id)
    signed_in = SocialAccount.objects.filter(provider__in=kinds, user__is_active=True).values_list(
        "provider", "user_id", "uid", "extra_data"
    )
    for kind, user_id, uid, extra_data in signed_in:
        for handle in _claimed_handles(uid, extra_data):
            if (kind, handle) in wanted:
                known = found.get((kind, handle))
                found[(kind, handle)] = TeamMember(expert_id=known.expert_id if known else None, user_id=user_id)
    return found
