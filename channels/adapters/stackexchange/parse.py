"""From Stack Exchange API items to `IncomingMention`s.

Questions are ``q<id>``, answers ``a<id>``, comments ``c<id>`` (questions and answers share one id space, so a
post id names one post). An answer's parent and thread are its question. A comment's parent is the post it is
on, its thread that post's question; the post's type is read, in this order, from what the poll knows (the
watch list, or ``/posts/{ids}``), the comment's ``post_type`` (not in the default or ``withbody`` filters), or
its ``link`` (``/questions/<question>/...#comment<id>_<post>``). When none says, the comment is taken to be on a
question (``q<post>``) and ``a<post>`` is offered as a related id, so it joins the ticket of whichever was stored.

Timeline events (``/questions/{ids}/timeline``, ``/users/{ids}/timeline``: items with ``timeline_type``) are not
posts: they carry no text, and their ``user`` and ``creation_date`` are the event's (a vote, an edit, an
acceptance), not a post's (a user timeline's ``commented`` event carries the comment's text as ``detail``, but
it is an entry of that user's timeline, not the comment).
They are never mentions; `timeline_posts` lists the posts and comments that their post events name
(``question``/``answer``/``comment``, ``asked``/``answered``/``commented``), for a caller that fetches them.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from channels import clean
from channels.text import html_to_text

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each
from .fields import count_of, id_of, string_of, time_of, unescaped

ID_KEYS = ("comment_id", "answer_id", "question_id", "post_id")
# Timeline events that name a post or comment: question timelines ("question", "answer", "comment") and user
# timelines ("asked", "answered", "commented").
POST_EVENTS = {
    "question": "questions",
    "asked": "questions",
    "answer": "answers",
    "answered": "answers",
    "comment": "comments",
    "commented": "comments",
}
_QUESTION_IN_LINK = re.compile(r"/questions/(\d{1,15})(?:/|$|#|\?)")
_COMMENT_IN_LINK = re.compile(r"#comment(\d{1,15})_(\d{1,15})$")
_MAX_LIST_DEPTH = 3

# Post id -> (parent id, thread id) for a comment on that post, as the poll knows it.
PostLinks = dict[int, tuple[str, str]]


def parse_page(payload: Any, *, domain: str | None = None, posts: PostLinks | None = None) -> Parsed:
    """A saved or fetched response: a wrapper ``{"items": [...]}`` of questions, answers, comments, ``/posts``
    items or timeline events, or a list of wrappers (one per page) or of items. A response that is none of these
    is a `PayloadError`; inside one, each item is parsed on its own (one that cannot be read is rejected with
    its raw payload, the rest are kept); timeline events are skipped."""
    items = page_items(payload)
    seen: set[str] = set()

    def parse_one(item: Any) -> IncomingMention | None:
        mention = parse_item_mention(item, domain=domain, posts=posts)
        if mention is None or mention.external_id in seen:
            return None
        seen.add(mention.external_id)
        return mention

    return parse_each(items, parse_one, id_keys=ID_KEYS, platform="stackexchange")


def page_items(payload: Any) -> list[Any]:
    """The items of a response, or `PayloadError` when it is not a Stack Exchange response with posts."""
    items: list[Any] = []
    stack: list[tuple[Any, int]] = [(payload, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, list) and depth < _MAX_LIST_DEPTH:
            stack.extend((element, depth + 1) for element in reversed(value))
        elif isinstance(value, dict) and ("items" in value or "error_id" in value):
            items.extend(_wrapper_items(value))
        elif depth == 0 and isinstance(value, dict):
            raise PayloadError('No "items" list: this is not a Stack Exchange API response wrapper.')
        elif depth == 0:
            raise PayloadError('Expected a Stack Exchange API response: a JSON object with an "items" list.')
        else:
            items.append(value)  # a bare item (or junk, rejected on its own)
    if items and not any(isinstance(i, dict) and ("timeline_type" in i or _kind(i)) for i in items):
        keys = clean.keys_shown((k for i in clean.objects(items) for k in i), 8)
        raise PayloadError(
            f"No item is a post: not a question, answer or comment, nor a timeline event (no question_id/"
            f"answer_id/comment_id/post_id; keys: {keys or 'none'})."
        )
    return items


def _wrapper_items(wrapper: dict[str, Any]) -> list[Any]:
    if "error_id" in wrapper:
        raise PayloadError(
            f"This is a Stack Exchange API error response (error {clean.preview(wrapper.get('error_id'), 40)} "
            f"{clean.line(wrapper.get('error_name'), max_length=60)}: "
            f"{clean.line(wrapper.get('error_message'), max_length=200)}), not posts."
        )
    items = wrapper["items"]
    if not isinstance(items, list):
        raise PayloadError('"items" must be a list.')
    return items


def _kind(item: dict[str, Any]) -> str:
    if "comment_id" in item:
        return "comment"
    if "answer_id" in item:
        return "answer"
    if "question_id" in item:
        return "question"
    if "post_id" in item and item.get("post_type") in ("question", "answer"):
        return str(item["post_type"])
    return ""


def parse_item_mention(
    item: Any, *, domain: str | None = None, posts: PostLinks | None = None
) -> IncomingMention | None:
    """One item as a mention; None for a timeline event; `PayloadError` for anything that is not a post."""
    if not isinstance(item, dict):
        raise PayloadError(f"Item is not a JSON object: {clean.preview(item)}")
    if "timeline_type" in item:
        return None
    kind = _kind(item)
    if kind == "comment":
        return comment_mention(item, domain, posts=posts)
    if kind == "answer":
        return answer_mention(item, domain)
    if kind == "question":
        return question_mention(item, domain)
    keys = clean.keys_shown(item, 8)
    raise PayloadError(
        f"Item is not a question, answer or comment (no question_id/answer_id/comment_id; keys: {keys})."
    )


def question_mention(item: dict[str, Any], domain: str | None) -> IncomingMention:
    qid = _required_id(item, "question_id", "post_id")
    domain = _domain_for(item, domain)
    return _mention(
        item,
        external_id=f"q{qid}",
        title=unescaped(item.get("title"), max_length=clean.TITLE_MAX),
        permalink=clean.url(item.get("link")) or (f"https://{domain}/q/{qid}" if domain else ""),
    )


def answer_mention(item: dict[str, Any], domain: str | None) -> IncomingMention:
    aid = _required_id(item, "answer_id", "post_id")
    qid = id_of(item.get("question_id")) or _question_in_link(item.get("link"))
    domain = _domain_for(item, domain)
    question = f"q{qid}" if qid is not None else ""
    return _mention(
        item,
        external_id=f"a{aid}",
        title=unescaped(item.get("title"), max_length=clean.TITLE_MAX),
        permalink=clean.url(item.get("link")) or (f"https://{domain}/a/{aid}" if domain else ""),
        parent_id=question,
        thread_id=question,
        # The asker accepted it (the default filter and `withbody` both carry `is_accepted`).
        accepted_answer=item.get("is_accepted") is True,
    )


def comment_mention(item: dict[str, Any], domain: str | None, *, posts: PostLinks | None = None) -> IncomingMention:
    cid = _required_id(item, "comment_id")
    parent, thread, related = comment_links(item, posts or {})
    domain = _domain_for(item, domain)
    return _mention(
        item,
        external_id=f"c{cid}",
        permalink=clean.url(item.get("link")) or (f"https://{domain}/posts/comments/{cid}" if domain else ""),
        parent_id=parent,
        thread_id=thread,
        related_ids=related,
    )


def comment_links(item: dict[str, Any], posts: PostLinks) -> tuple[str, str, tuple[str, ...]]:
    """(parent id, thread id, related ids) of a comment: see the module's docstring for the order of sources."""
    post_id = id_of(item.get("post_id"))
    if post_id is None:
        return "", "", ()
    if post_id in posts:
        parent, thread = posts[post_id]
        return parent, thread, ()
    post_type = item.get("post_type")
    link = string_of(item.get("link"))
    question = _question_in_link(link)
    on_post = _COMMENT_IN_LINK.search(link)
    named = on_post is not None and int(on_post.group(2)) == post_id
    if post_type not in ("question", "answer") and question is not None and named:
        post_type = "question" if question == post_id else "answer"
    if post_type == "answer":
        return f"a{post_id}", (f"q{question}" if question is not None and question != post_id else ""), ()
    if post_type == "question":
        return f"q{post_id}", f"q{post_id}", ()
    return f"q{post_id}", f"q{post_id}", (f"a{post_id}",)


def timeline_posts(payload: Any) -> dict[str, list[int]]:
    """The ids that a timeline's post events name: ``{"questions": [...], "answers": [...], "comments": [...]}``
    (vote_aggregate, revision, accepted_answer and other events name none)."""
    found: dict[str, list[int]] = {"questions": [], "answers": [], "comments": []}
    for item in clean.objects(page_items(payload)):
        kind = POST_EVENTS.get(string_of(item.get("timeline_type")))
        if kind is None:
            continue
        key = "comment_id" if kind == "comments" else "post_id"
        value = id_of(item.get(key))
        if value is not None and value not in found[kind]:
            found[kind].append(value)
    return found


def _mention(
    item: dict[str, Any],
    *,
    external_id: str,
    permalink: str,
    title: str = "",
    parent_id: str = "",
    thread_id: str = "",
    related_ids: tuple[str, ...] = (),
    accepted_answer: bool = False,
) -> IncomingMention:
    raw_created = item.get("creation_date")
    created = time_of(raw_created)
    if created is None:
        what = "no creation_date" if raw_created is None else f"bad creation_date {clean.preview(raw_created, 60)}"
        raise PayloadError(f"Item {external_id} has {what}.")
    handle, name, url = author(item.get("owner"))
    # The default filter's shallow_user carries the owner's reputation: their weight, at no extra request.
    reputation = count_of(clean.mapping(item.get("owner")).get("reputation")) if handle else None
    return IncomingMention(
        external_id=external_id,
        created_at=created,
        text=html_to_text(string_of(item.get("body"))[: clean.TEXT_MAX * 2]),
        title=title,
        author_handle=handle,
        author_name=name,
        author_url=url,
        permalink=permalink,
        parent_id=parent_id if parent_id != external_id else "",
        thread_id=thread_id if thread_id != external_id else "",
        related_ids=related_ids,
        edited_at=time_of(item.get("last_edit_date")),
        author_audience=reputation,
        author_audience_kind="reputation" if reputation is not None else "",
        accepted_answer=accepted_answer,
        raw=item,
    )


def author(owner: Any) -> tuple[str, str, str]:
    """(handle, name, url): the handle is the stable numeric user id; a deleted user has none."""
    owner = clean.mapping(owner)
    name = unescaped(owner.get("display_name"))
    user_id = id_of(owner.get("user_id"))
    if owner.get("user_type") == "does_not_exist" or user_id is None:
        return "", name, ""
    return str(user_id), name, clean.url(owner.get("link"))


def _domain_for(item: dict[str, Any], domain: str | None) -> str:
    """The site's domain: given when polling; from the item's own links in a saved payload."""
    if domain:
        return domain
    for link in (item.get("link"), clean.mapping(item.get("owner")).get("link")):
        url = clean.url(link)
        if url.startswith(("http://", "https://")):
            try:
                host = urlsplit(url).hostname
            except ValueError:
                host = None
            if host:
                return host
    return ""


def _required_id(item: dict[str, Any], *keys: str) -> int:
    for key in keys:
        value = id_of(item.get(key))
        if value is not None:
            return value
    raise PayloadError(f"Item has no usable {keys[0]}: {clean.preview(item)}")


def _question_in_link(link: Any) -> int | None:
    match = _QUESTION_IN_LINK.search(string_of(link)[:2000])
    return id_of(match.group(1)) if match else None
