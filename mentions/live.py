"""Live pages without a cost per refresh: a desk-wide change stamp and conditional requests.

Every page that refreshes on its own (the queue, the ticket list, a ticket's conversation)
polls its own address with htmx every few seconds and sends the ETag of what it shows. The
ETag is made from the change stamp, the user, the address and, for pages that show relative
times ("3 hours ago"), the current minute. `LiveMiddleware` answers an unchanged page with 304
after reading the stamp alone: one single-row query on no table, before the session's user or
any permission is loaded (sessions are read from the cache).

The stamp moves whenever a ticket, a message, a ticket's tags or a view change, whoever writes
them (ingest, services, admin, bulk updates, sweeps): database triggers bump it, so no write
path has to remember to. On PostgreSQL it is a sequence, bumped once per writing transaction
by a deferred constraint trigger, which fires at commit: a reader never sees the new stamp
long before the rows it stands for, and concurrent writers never queue on a counter row
(sequences take no row lock; each transaction marks itself with a row of its own). On SQLite
(one writer at a time) it is a one-row table bumped in the writing transaction.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.safestring import SafeString

# Tables whose changes a live page shows.
WATCHED_TABLES = ("mentions_ticket", "mentions_message", "mentions_ticket_tags", "mentions_view")

# A change marks its transaction once (the first statement that changed a row inserts one row in
# mentions_change_mark), and that row's deferred constraint trigger bumps the sequence at commit.
# Per statement, not per row: a page of ingest (thousands of rows) costs one bump, where a
# deferred trigger on every row queued thousands of events for the commit (15-30% of a bulk
# COPY's time). A statement that changed no row (an UPDATE matching nothing) marks nothing.
PG_CREATE_SQL = (
    "CREATE SEQUENCE IF NOT EXISTS mentions_change_seq;\n"  # noqa: S608 - constants
    "CREATE TABLE IF NOT EXISTS mentions_change_mark (id bigserial PRIMARY KEY);\n"
    "CREATE OR REPLACE FUNCTION mentions_change_bump() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  PERFORM nextval('mentions_change_seq');\n"
    "  DELETE FROM mentions_change_mark WHERE id = NEW.id;\n"
    # Fired early by SET CONSTRAINTS ... IMMEDIATE: later changes of the transaction mark again.
    "  PERFORM set_config('mentions.change_marked', '', true);\n"
    "  RETURN NULL;\n"
    "END $$;\n"
    "DROP TRIGGER IF EXISTS mentions_change_mark_bump ON mentions_change_mark;\n"
    "CREATE CONSTRAINT TRIGGER mentions_change_mark_bump AFTER INSERT ON mentions_change_mark\n"
    "  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mentions_change_bump();\n"
    "CREATE OR REPLACE FUNCTION mentions_change_note() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  IF current_setting('mentions.change_marked', true) IS DISTINCT FROM 'yes'\n"
    "     AND EXISTS (SELECT 1 FROM changed) THEN\n"
    "    PERFORM set_config('mentions.change_marked', 'yes', true);\n"
    "    INSERT INTO mentions_change_mark DEFAULT VALUES;\n"
    "  END IF;\n"
    "  RETURN NULL;\n"
    "END $$;\n"
    + "".join(
        f"DROP TRIGGER IF EXISTS mentions_change_{t} ON {t};\n"
        + "".join(
            f"DROP TRIGGER IF EXISTS mentions_change_{t}_{op.lower()} ON {t};\n"
            f"CREATE TRIGGER mentions_change_{t}_{op.lower()} AFTER {op} ON {t}\n"
            f"  REFERENCING {'OLD' if op == 'DELETE' else 'NEW'} TABLE AS changed\n"
            f"  FOR EACH STATEMENT EXECUTE FUNCTION mentions_change_note();\n"
            for op in ("INSERT", "UPDATE", "DELETE")
        )
        for t in WATCHED_TABLES
    )
)
PG_DROP_SQL = (
    "".join(
        f"DROP TRIGGER IF EXISTS mentions_change_{t}_{op} ON {t};\n"
        for t in WATCHED_TABLES
        for op in ("insert", "update", "delete")
    )
    + "DROP TABLE IF EXISTS mentions_change_mark;\n"
    + "DROP FUNCTION IF EXISTS mentions_change_note();\nDROP FUNCTION IF EXISTS mentions_change_bump();\n"
    + "DROP SEQUENCE IF EXISTS mentions_change_seq;\n"
)
SQLITE_CREATE_SQL = [
    "CREATE TABLE IF NOT EXISTS mentions_change_stamp (id integer PRIMARY KEY, n integer NOT NULL)",
    "INSERT OR IGNORE INTO mentions_change_stamp (id, n) VALUES (1, 0)",
    *(
        f"CREATE TRIGGER IF NOT EXISTS mentions_change_{t}_{op.lower()} AFTER {op} ON {t} "  # noqa: S608 (constants)
        "BEGIN UPDATE mentions_change_stamp SET n = n + 1 WHERE id = 1; END"
        for t in WATCHED_TABLES
        for op in ("INSERT", "UPDATE", "DELETE")
    ),
]
SQLITE_DROP_SQL = [
    *(
        f"DROP TRIGGER IF EXISTS mentions_change_{t}_{op}"
        for t in WATCHED_TABLES
        for op in ("insert", "update", "delete")
    ),
    "DROP TABLE IF EXISTS mentions_change_stamp",
]


def _now() -> float:
    """The clock the minute in ETags comes from (a test holds it still)."""
    return time.time()


def change_stamp() -> int:
    """The desk's change counter: one single-row read."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT last_value FROM mentions_change_seq")
        else:
            cursor.execute("SELECT n FROM mentions_change_stamp WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def change_stamp_move() -> None:
    """Move the stamp for a change the triggers do not see (a person's tags mark their tickets' rows, and
    live pages must show it): as a watched table's write would, at commit on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("INSERT INTO mentions_change_mark DEFAULT VALUES")
        else:
            cursor.execute("UPDATE mentions_change_stamp SET n = n + 1 WHERE id = 1")


# A refresh's cheap side effect, run on every refresh whether answered 304 or not:
# (request, the view's kwargs, the session's user id) -> headers to add to the answer.
RefreshHook = Callable[[HttpRequest, dict, str], dict[str, str]]


def live(*, clock: bool = False, on_refresh: RefreshHook | None = None) -> Callable:
    """Mark a GET view as a live page: its htmx refreshes are answered 304 while nothing changed.
    `clock`: the page shows relative times, so it is also re-rendered once a minute.
    `on_refresh`: work every refresh does without touching the database (an open ticket's
    presence, kept in the cache), whose answer travels in headers, even on a 304."""

    def mark(view: Callable) -> Callable:
        # Attributes on the view function, as Django's own decorators mark views (csrf_exempt): wrappers made
        # with functools.wraps carry them. setattr, since a Callable declares no such attribute.
        setattr(view, "live_clock", clock)  # noqa: B010
        setattr(view, "live_on_refresh", on_refresh)  # noqa: B010
        return view

    return mark


def _request_stamp(request: HttpRequest) -> int:
    """The change stamp, read once per request and kept on it (an attribute of our own: setattr, since
    HttpRequest declares no such attribute)."""
    stamp: int | None = getattr(request, "_live_stamp", None)
    if stamp is None:
        stamp = change_stamp()
        setattr(request, "_live_stamp", stamp)  # noqa: B010
    return stamp


def _etag(request: HttpRequest, *, path: str, user_id: str, auth_hash: str, clock: bool) -> str:
    minute = int(_now() // 60) if clock else 0
    key = "\0".join((user_id, auth_hash, path, str(_request_stamp(request)), str(minute)))
    return '"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest() + '"'


def etag_for(request: HttpRequest, path: str, *, clock: bool = False) -> str:
    """The ETag a refresh of `path` by this request's user would carry now (for a polling
    element whose address differs from the page's own, e.g. a ticket's live conversation)."""
    session = request.session
    return _etag(
        request,
        path=path,
        user_id=str(session.get("_auth_user_id", "")),
        auth_hash=str(session.get("_auth_user_hash", "")),
        clock=clock,
    )


FRAGMENT_SECONDS = 120

# A cached fragment's forms carry this in place of the CSRF token; each answer puts the asking
# session's own freshly masked token there (`fragment_cached(csrf=True)`). The attribute's
# double quotes cannot come from escaped mention text, so only our {% csrf_token %} matches.
CSRF_SLOT = "desk-csrf-slot"
_CSRF_SLOT_ATTR = f'name="csrfmiddlewaretoken" value="{CSRF_SLOT}"'


def _stamp_key(request: HttpRequest, name: str, vary: str, *, clock: bool) -> str:
    digest = hashlib.blake2b(vary.encode(), digest_size=16).hexdigest()
    minute = int(_now() // 60) if clock else 0
    return f"live:{name}:{int(clock)}:{_request_stamp(request)}:{minute}:{digest}"


def stamped(request: HttpRequest, *, name: str, vary: str, compute: Callable[[], Any]) -> Any:
    """A figure computed from the desk's watched tables alone (a count for the navigation),
    computed once per change stamp and kept for everyone asking for the same `vary`."""
    return stamped_many(request, {name: (vary, compute)})[name]


def stamped_many(request: HttpRequest, figures: dict[str, tuple[str, Callable[[], Any]]]) -> dict[str, Any]:
    """`stamped` for several figures in one cache round trip: {name: (vary, compute)}."""
    from django.conf import settings
    from django.core.cache import cache

    if not settings.DESK_FRAGMENT_CACHE:
        return {name: compute() for name, (_vary, compute) in figures.items()}
    keys = {name: _stamp_key(request, f"{name}:value", vary, clock=False) for name, (vary, _c) in figures.items()}
    kept = cache.get_many(list(keys.values()))  # 1-tuples, so that None (no ticket served) is kept too
    missing = {}
    values = {}
    for name, key in keys.items():
        if key not in kept:
            kept[key] = missing[key] = (figures[name][1](),)
        values[name] = kept[key][0]
    if missing:
        cache.set_many(missing, FRAGMENT_SECONDS)
    return values


def fragment_cached(
    request: HttpRequest, *, name: str, vary: str, render: Callable[[], str], csrf: bool = False
) -> SafeString:
    """HTML that depends only on the desk's data, the minute and `vary` (never on the user's
    session: nothing personal beyond what `vary` names), rendered once per change stamp and
    minute and shared by everyone who asks for the same thing, e.g. a ticket list page sixteen
    advocates keep open. A change anywhere moves the stamp, so a stale copy is never served.
    `csrf`: `render` puts CSRF_SLOT in its context as `csrf_token`; each answer gets its own token."""
    from django.conf import settings
    from django.middleware.csrf import get_token
    from django.utils.safestring import mark_safe

    from advocacy.fragments import fragment

    key = _stamp_key(request, name, vary, clock=True) if settings.DESK_FRAGMENT_CACHE else None
    html = fragment(key, render, ttl=FRAGMENT_SECONDS)
    if csrf:
        token = get_token(request)  # letters and digits only
        html = mark_safe(html.replace(_CSRF_SLOT_ATTR, f'name="csrfmiddlewaretoken" value="{token}"'))  # noqa: S308
    return html


class LiveMiddleware:
    """Conditional GETs for live pages, placed before LoginRequiredMiddleware so that a 304 is
    decided from the session's user id and the change stamp, before the user row, the
    permissions or the page's own queries are loaded. A session without a user gets no ETag and
    goes through the normal path (login redirect). Only htmx refreshes are answered 304: a full
    page load always renders, so the back button and a reload never show a stale page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        etag = getattr(request, "_live_etag", None)
        for name, value in getattr(request, "_live_headers", {}).items():
            response[name] = value
        if etag and response.status_code == 200 and request.headers.get("HX-Request") == "true":
            response["ETag"] = etag
            # Per user and changing: the browser asks every time, with the ETag the page holds.
            response["Cache-Control"] = "no-store"
            # The tab title's waiting count, refreshed with whatever changed (static/live.js).
            if request.user.has_perm("mentions.work_queue"):
                from mentions.selectors import waiting_total

                response["X-Desk-Waiting"] = str(stamped(request, name="waiting", vary="", compute=waiting_total))
        return response

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        clock = getattr(view_func, "live_clock", None)
        if clock is None or request.method != "GET":
            return None
        session = getattr(request, "session", None)
        user_id = session.get("_auth_user_id") if session is not None else None
        if session is None or not user_id:
            return None
        # Read before the page renders: a change committed while it renders moves the stamp
        # past this ETag, so the next refresh renders again instead of keeping a stale page.
        # A full page load computes it too, for its polling element to send on its first refresh.
        etag = _etag(
            request,
            path=request.get_full_path(),
            user_id=str(user_id),
            auth_hash=str(session.get("_auth_user_hash", "")),
            clock=clock,
        )
        # Kept on the request for the page's context processor and the answer's headers (setattr: attributes
        # of our own, which HttpRequest does not declare).
        setattr(request, "_live_etag", etag)  # noqa: B010
        if request.headers.get("HX-Request") != "true":
            return None
        if hook := getattr(view_func, "live_on_refresh", None):
            setattr(request, "_live_headers", hook(request, view_kwargs, str(user_id)))  # noqa: B010
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            response = HttpResponseNotModified()
            for name, value in getattr(request, "_live_headers", {}).items():
                response[name] = value
            response["ETag"] = etag
            response["Cache-Control"] = "no-store"
            return response
        return None


def sqlite_stamp_triggers(apps: object, schema_editor: Any) -> None:
    """A migration's step after it remade a watched table on SQLite: SQLite cannot add most columns in place, so
    Django remakes the table, and its change-stamp triggers go with it. Made again, or the live pages on the embedded
    default never see a change. PostgreSQL keeps its triggers (nothing to do)."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_CREATE_SQL:
            schema_editor.execute(statement)


def stamp_triggers_ensure(*, using: str = "default", **_: Any) -> None:
    """post_migrate: the SQLite change-stamp triggers, made again where a migration remade a watched table."""
    from django.db import connections

    target = connections[using]
    # Only where every watched table is there (not after `migrate mentions zero`, nor before its first migration).
    if target.vendor == "sqlite" and set(WATCHED_TABLES) <= set(target.introspection.table_names()):
        with target.schema_editor() as editor:
            sqlite_stamp_triggers(None, editor)
