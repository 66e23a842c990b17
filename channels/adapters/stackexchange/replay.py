"""The Stack Exchange API 2.3 (api.stackexchange.com) for the demo (channels.demo.replay_kit says what every replay
shares), after the recorded responses in tests/fixtures/ (SOURCES.md) and api.stackexchange.com/docs:

- every answer is the default filter's wrapper ``{"items", "has_more", "quota_max", "quota_remaining"}``
  (``questions_list_default_filter.json``); ``filter=withbody`` adds ``body`` (HTML), as the docs say (unrecorded);
- ``GET /questions`` (``tagged``, ``sort``, ``order``, ``fromdate``/``todate``, ``page``/``pagesize``): as
  ``questions_list_default_filter.json``; ``/questions/{ids}/answers``: as ``questions_ids_answers.json``;
  ``/posts/{ids}/comments``: as ``question_comments.json``; ``/posts/{ids}``: as ``posts_questions_stackongo.json``;
  ``/info``: the site's figures;
- errors: an unknown method ``no_method`` as ``error_400_no_method.json`` (HTTP 404 here), a bad parameter
  ``bad_parameter``; a write's refusals the ids of /docs/error-handling (401 ``access_token_required``, 402
  ``invalid_access_token``, 405 ``key_required``), all HTTP 400;
- writes (/docs/create-comment, /docs/create-answer; ``site``, ``key``, ``access_token`` in the form): ``POST
  /posts/{id}/comments/add`` (15 to 600 characters) and ``/questions/{id}/answers/add`` (30 or more), on any id.

Each thread is a question tagged with the channel's tags; the asker's follow-ups are comments on it, anyone else's
answers. Question ``79_100_000 + 100 n``, its answers ``question + k``, comments ``139_100_000 + 100 n + k``; our
account's posts carry its user id (the adapter matches ``owner.user_id``). Quota figures are fixed.
"""

from __future__ import annotations

import html
import re
import zlib
from typing import Any

import requests

from channels.adapters.base import IncomingMention
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import DemoPosts
from channels.demo.replay_kit import Asked, paragraphs, place, slug, stamp

from .config import site_domain

HOSTS = ("api.stackexchange.com",)
SITE: str = DEMO_CHANNELS["stackexchange"]["config"]["site"]
TAGS: list[str] = list(DEMO_CHANNELS["stackexchange"]["config"]["tags"])
DOMAIN = site_domain(SITE)
QUOTA_MAX = 10_000
QUOTA_REMAINING = 9_990
QUESTION_BASE = 79_100_000
COMMENT_BASE = 139_100_000
# Where the ids of what our account posts start: above every id of the week (its thread index n stays under 1,000).
MADE_ANSWER_BASE = 80_000_000
MADE_COMMENT_BASE = 140_000_000
APP_KEY: str = DEMO_CHANNELS["stackexchange"]["credentials"]["key"]
ACCOUNT_TOKEN: str = DEMO_CHANNELS["stackexchange"]["account_tokens"]["access_token"]
ACCOUNT_NAME: str = DEMO_CHANNELS["stackexchange"]["account_username"]  # our account's display_name
_WRITE = re.compile(r"/(?:posts/(?P<post>\d{1,15})/comments|questions/(?P<question>\d{1,15})/answers)/add")
_ROOT = "/2.3"
_IDS = r"(\d{1,15}(?:;\d{1,15}){0,99})"

Item = dict[str, Any]


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any]:
    asked = Asked(request)
    query, path = asked.query, asked.path.rstrip("/")
    if asked.method == "POST" and path.startswith(_ROOT + "/"):
        return write(asked, path.removeprefix(_ROOT), posts)
    if asked.method != "GET" or not path.startswith(_ROOT + "/"):
        return _no_method()
    path = path.removeprefix(_ROOT)
    if query.get("site", "").lower() not in (SITE, DOMAIN):
        return _bad_parameter("site", f"No site found for name `{query.get('site', '')}`")
    if query.get("filter", "default") not in ("default", "withbody"):
        return _bad_parameter("filter", "filter is not a known filter")
    site = Week(posts, body=query.get("filter") == "withbody")
    if path == "/info":
        return 200, _wrapper([site.info()], has_more=False)
    if path == "/questions":
        tag = query.get("tagged", "").lower()
        found = [q for q in site.questions if not tag or all(t in q["tags"] for t in tag.split(";"))]
        return _listing(found, query, default_sort="activity")
    if match := re.fullmatch(rf"/questions/{_IDS}/answers", path):
        ids = _ids(match.group(1))
        return _listing([a for a in site.answers if a["question_id"] in ids], query, default_sort="activity")
    if match := re.fullmatch(rf"/posts/{_IDS}/comments", path):
        ids = _ids(match.group(1))
        return _listing([c for c in site.comments if c["post_id"] in ids], query, default_sort="creation")
    if match := re.fullmatch(rf"/posts/{_IDS}", path):
        ids = _ids(match.group(1))
        return _listing([p for p in site.posts() if p["post_id"] in ids], query, default_sort="activity")
    return _no_method()


def write(asked: Asked, path: str, posts: DemoPosts) -> tuple[int, Any]:
    """Our account's comment or answer, answered as the API does once it is posted."""
    route, form = _WRITE.fullmatch(path), asked.form
    if route is None:
        return _no_method()
    if form.get("site", "").lower() not in (SITE, DOMAIN):
        return _bad_parameter("site", f"No site found for name `{form.get('site', '')}`")
    if not form.get("key"):
        return _refused(405, "key_required", "This method requires an app key")
    if form["key"] != APP_KEY:
        return _bad_parameter("key", "Invalid key")
    if not form.get("access_token"):
        return _refused(401, "access_token_required", "This method requires an access_token")
    if form["access_token"] != ACCOUNT_TOKEN:
        return _refused(402, "invalid_access_token", "access_token is invalid, expired or revoked")
    text = form.get("body", "").strip()
    now = int(posts.now.timestamp())
    made = stamp(posts.now) % 100_000_000  # the clock: a second reply gets another id
    ours = owner(posts.our_account, "", our_account=posts.our_account)
    if route.group("post"):
        if not 15 <= len(text) <= 600:
            return _bad_parameter("body", "Comments must be between 15 and 600 characters")
        comment = {"owner": ours, "edited": False, "score": 0, "creation_date": now}
        return 200, _wrapper([{**comment, "post_id": int(route["post"]), "comment_id": MADE_COMMENT_BASE + made}])
    if len(text) < 30:
        return _bad_parameter("body", "Body must be at least 30 characters")
    return 200, _wrapper([answer_item(ours, now, MADE_ANSWER_BASE + made, int(route["question"]))])


def answer_item(owner: Item, at: int, answer_id: int, question_id: int) -> Item:
    """An answer as questions_ids_answers.json has it."""
    return {
        "owner": owner,
        "is_accepted": False,
        "score": 0,
        "last_activity_date": at,
        "creation_date": at,
        "answer_id": answer_id,
        "question_id": question_id,
        "content_license": "CC BY-SA 4.0",
    }


class Week:
    """The demo's questions, answers and comments by now, as the API's items."""

    def __init__(self, posts: DemoPosts, *, body: bool) -> None:
        self.our_account = posts.our_account
        self.body = body
        self.questions: list[Item] = []
        self.answers: list[Item] = []
        self.comments: list[Item] = []
        for thread in posts.threads():
            self._thread(thread)

    def _thread(self, thread: list[IncomingMention]) -> None:
        opening = thread[0]
        n, _k = place(opening.external_id)
        qid = QUESTION_BASE + 100 * n
        link = f"https://{DOMAIN}/questions/{qid}/{_slug(opening.title)}"
        answers: list[Item] = []
        for mention in thread[1:]:
            k = place(mention.external_id)[1]
            item: Item = {"owner": self._owner(mention), "edited": False, "score": 0}
            if mention.author_handle == opening.author_handle:
                item.update(comment_id=COMMENT_BASE + 100 * n + k, post_id=qid, creation_date=_epoch(mention))
                self.comments.append(self._with_body(item, html.escape(mention.text, quote=False)))
                continue
            item = answer_item(item["owner"], _epoch(mention), qid + k, qid)
            answers.append(self._with_body(item, paragraphs(mention.text, "\n")))
        self.answers.extend(answers)
        question: Item = {
            "tags": TAGS,
            "owner": self._owner(opening),
            "is_answered": bool(answers),
            "view_count": 12 + 40 * len(thread),
            "answer_count": len(answers),
            "score": 0,
            "last_activity_date": max(_epoch(m) for m in thread),
            "creation_date": _epoch(opening),
            "question_id": qid,
            "content_license": "CC BY-SA 4.0",
            "link": link,
            "title": _escaped(opening.title),
        }
        self.questions.append(self._with_body(question, paragraphs(opening.text, "\n")))

    def _with_body(self, item: Item, body: str) -> Item:
        return {**item, "body": body} if self.body else item

    def _owner(self, mention: IncomingMention) -> Item:
        return owner(mention.author_handle, mention.author_name, our_account=self.our_account)

    def posts(self) -> list[Item]:
        """Questions and answers as ``/posts`` items (``post_type``, ``post_id``)."""
        found: list[Item] = []
        for kind, items, key in (("question", self.questions, "question_id"), ("answer", self.answers, "answer_id")):
            for item in items:
                post = {k: v for k, v in item.items() if k not in ("tags", "title", "question_id", "answer_id")}
                if kind == "answer":  # a post's link is in the default filter, an answer's is not
                    question = next(q for q in self.questions if q["question_id"] == item["question_id"])
                    post["link"] = f"{question['link']}/{item[key]}#{item[key]}"
                found.append({**post, "post_type": kind, "post_id": item[key]})
        return found

    def info(self) -> Item:
        return {
            "total_questions": len(self.questions),
            "total_unanswered": sum(1 for q in self.questions if not q["answer_count"]),
            "total_answers": len(self.answers),
            "total_comments": len(self.comments),
            "total_users": len({i["owner"]["user_id"] for i in self.questions + self.answers + self.comments}),
            "api_revision": "2025.1.1.demo",
        }


def owner(handle: str, name: str, *, our_account: str) -> Item:
    """A post's ``owner``: our account by its user id, anyone else with a stable id made from their name."""
    ours = handle == our_account and handle.isdigit()
    user_id = int(handle) if ours else 1_000_000 + zlib.crc32(handle.encode()) % 9_000_000
    name = ACCOUNT_NAME if ours else (name or handle)
    return {
        "account_id": user_id + 3_000_000,
        "reputation": 101 + user_id % 5000,
        "user_id": user_id,
        "user_type": "registered",
        "display_name": _escaped(name),
        "link": f"https://{DOMAIN}/users/{user_id}/{_slug(name)}",
    }


def _listing(items: list[Item], query: dict[str, str], *, default_sort: str) -> tuple[int, Any]:
    """One page of `items` as the API pages a listing: filtered on creation date, sorted, `page` of `pagesize`."""
    try:
        fromdate, todate = _whole(query, "fromdate"), _whole(query, "todate")
        page, pagesize = _whole(query, "page") or 1, _whole(query, "pagesize") or 30
    except ValueError as exc:
        return _bad_parameter(str(exc), f"{exc} must be a number")
    if not 1 <= pagesize <= 100 or page < 1:
        return _bad_parameter("pagesize" if page >= 1 else "page", "out of range")
    sort, order = query.get("sort", default_sort), query.get("order", "desc")
    if sort not in ("activity", "creation", "votes") or order not in ("asc", "desc"):
        return _bad_parameter("sort" if order in ("asc", "desc") else "order", "not a valid value")
    found = [
        item
        for item in items
        if (fromdate is None or item["creation_date"] >= fromdate)
        and (todate is None or item["creation_date"] <= todate)
    ]
    field = {"activity": "last_activity_date", "creation": "creation_date", "votes": "score"}[sort]
    found.sort(key=lambda i: (i.get(field, i["creation_date"]), _id(i)), reverse=order == "desc")
    start = (page - 1) * pagesize
    return 200, _wrapper(found[start : start + pagesize], has_more=len(found) > start + pagesize)


def _wrapper(items: list[Item], *, has_more: bool = False) -> Item:
    return {"items": items, "has_more": has_more, "quota_max": QUOTA_MAX, "quota_remaining": QUOTA_REMAINING}


def _no_method() -> tuple[int, Any]:
    return 404, {"error_id": 404, "error_name": "no_method", "error_message": "no method found with this name"}


def _bad_parameter(name: str, message: str) -> tuple[int, Any]:
    return _refused(400, "bad_parameter", f"{name}: {message}")


def _refused(error_id: int, name: str, message: str) -> tuple[int, Any]:
    return 400, {"error_id": error_id, "error_name": name, "error_message": message}


def _whole(query: dict[str, str], name: str) -> int | None:
    value = query.get(name, "")
    if value == "":
        return None
    if not value.isdigit():
        raise ValueError(name)
    return int(value)


def _ids(text: str) -> set[int]:
    return {int(part) for part in text.split(";")}


def _id(item: Item) -> int:
    return int(item.get("comment_id") or item.get("answer_id") or item.get("post_id") or item["question_id"])


def _epoch(mention: IncomingMention) -> int:
    return int(mention.created_at.timestamp())


def _escaped(text: str) -> str:
    """Titles and display names arrive HTML-escaped, apostrophes as ``&#39;``."""
    return html.escape(text).replace("&#x27;", "&#39;")


def _slug(text: str) -> str:
    return slug(text)[:80].rstrip("-") or "question"
