"""What the Bluesky tests share: a channel, Bluesky's hosts as `responses` mocks them, sessions, and posts.

Shapes: a post view and a notification are recorded ones (fixtures/atat_post_views.json, the reply "postWithoutEmbed";
fixtures/aibot_notifications.json) with their ids, author, text and times set by the test. The session answers of
`createSession`/`refreshSession` follow Bluesky's HTTP reference (docs.bsky.app/docs/api/com-atproto-server-create-
session: accessJwt, refreshJwt, handle, did, didDoc, email, emailConfirmed, active): no recording of one is public,
its tokens being secrets (fixtures/SOURCES.md). The tokens here are JWTs made by the test.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import responses

from channels.tests.factories import ChannelFactory
from channels.tests.personas import ADVOCATE, BYSTANDER, EXPERT, MEMBER, Persona

FIXTURES = Path(__file__).parent / "fixtures"
SERVICE = "https://bsky.social"
PDS = "https://morel.us-east.host.bsky.network"  # the account's PDS, as its DID document names it
HANDLE = "gitlab.com"
DID = "did:plc:deskaccount4gitlab0000001"
PASSWORD = "abcd-efgh-ijkl-mnop"  # an app password's form (Bluesky: four groups of four)
SEARCH = f"{PDS}/xrpc/app.bsky.feed.searchPosts"
NOTIFICATIONS = f"{PDS}/xrpc/app.bsky.notification.listNotifications"
THREAD = f"{PDS}/xrpc/app.bsky.feed.getPostThread"
CREATE_SESSION = f"{SERVICE}/xrpc/com.atproto.server.createSession"
REFRESH_SESSION = f"{SERVICE}/xrpc/com.atproto.server.refreshSession"
CREATE_RECORD = f"{PDS}/xrpc/com.atproto.repo.createRecord"
DELETE_RECORD = f"{PDS}/xrpc/com.atproto.repo.deleteRecord"
RESOLVE = f"{SERVICE}/xrpc/com.atproto.identity.resolveHandle"
_names = itertools.count()


def on_bluesky(persona: Persona) -> str:
    """The persona's handle here (personas.py names none for Bluesky): their first name on bsky.social."""
    return f"{persona.name.split()[0].lower()}.bsky.social"


ALICE, BOB, ERIN, GABE = (on_bluesky(p) for p in (MEMBER, BYSTANDER, EXPERT, ADVOCATE))


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def ratelimit(remaining: int = 2990, *, limit: int = 3000, window: int = 300, reset_in: int = 300) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(int(time.time()) + reset_in),
        "RateLimit-Policy": f"{limit};w={window}",
    }


def jwt(*, lifetime: float = 7200, scope: str = "com.atproto.access") -> str:
    """A JWT in Bluesky's form (its payload names scope, sub, iat, exp), unique per call, signed by nobody."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    now = int(time.time())
    payload = {"scope": scope, "sub": DID, "iat": now, "exp": int(now + lifetime), "jti": uuid.uuid4().hex}
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(payload)}.{uuid.uuid4().hex}"


def session_body(access: str, refresh: str, *, handle: str = HANDLE, did: str = DID, pds: str = PDS) -> dict:
    document = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "alsoKnownAs": [f"at://{handle}"],
        "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds}],
    }
    return {
        "accessJwt": access,
        "refreshJwt": refresh,
        "handle": handle,
        "did": did,
        "didDoc": document,
        "email": "community@example.com",
        "emailConfirmed": True,
        "active": True,
    }


def mock_sign_in(*, lifetime: float = 7200, handle: str = HANDLE, did: str = DID) -> tuple[str, str]:
    """createSession answers a new session; returns its (access, refresh) tokens."""
    access, refresh = jwt(lifetime=lifetime), jwt(lifetime=90 * 86400, scope="com.atproto.refresh")
    responses.post(CREATE_SESSION, json=session_body(access, refresh, handle=handle, did=did), headers=ratelimit(29))
    return access, refresh


def bluesky_channel(*, our_accounts=(), cursor=None, credentials=None, **config: Any):
    n = next(_names)
    channel = ChannelFactory(
        kind="bluesky",
        name=f"Bluesky {n}",
        slug=f"bluesky-{n}-{uuid.uuid4().hex[:6]}",
        config={"handle": HANDLE, **config},
        our_accounts=list(our_accounts),
        cursor=cursor or {},
    )
    channel.credentials = credentials if credentials is not None else {"app_password": PASSWORD}
    channel.save()
    return channel


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def post(
    rkey: str,
    at: float,
    *,
    text: str = "Is the 18.6 runner upgrade safe?",
    handle: str = ALICE,
    did: str | None = None,
    parent: dict[str, str] | None = None,
    root: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The recorded reply post view with its ids, author, text and times replaced; a reply when `parent` is given."""
    view = copy.deepcopy(next(v for v in load("atat_post_views.json") if v.get("uri", "").endswith("/3lhmgh4f5es2q")))
    did = did or f"did:plc:{handle.split('.')[0].replace('-', '')[:20]:0<24}"
    view["uri"] = f"at://{did}/app.bsky.feed.post/{rkey}"
    view["cid"] = f"bafyrei{rkey}cid"
    view["author"].update({"did": did, "handle": handle, "displayName": handle.split(".")[0].title()})
    view["record"]["text"] = text
    view["record"]["createdAt"] = iso(at)
    view["indexedAt"] = iso(at + 1)
    if parent:
        view["record"]["reply"] = {"parent": parent, "root": root or parent}
    else:
        view["record"].pop("reply")
    return view


def ref(view: dict[str, Any]) -> dict[str, str]:
    return {"uri": view["uri"], "cid": view["cid"]}


def notification(view: dict[str, Any], reason: str = "mention") -> dict[str, Any]:
    """A post view as listNotifications carries it (the recorded notification's keys)."""
    item = {k: copy.deepcopy(view[k]) for k in ("uri", "cid", "author", "record", "indexedAt")}
    return {**item, "reason": reason, "isRead": False, "labels": []}


def query(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


def calls_to(url: str) -> list[Any]:
    return [c for c in responses.calls if (c.request.url or "").split("?")[0] == url]
