"""Algolia hits in the recorded shape (../shared/fixtures/hackernews), with chosen values."""

import copy
import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "hackernews"


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


_COMMENT = load("algolia_search_by_date_comment.json")["hits"][0]
_STORY = load("algolia_search_by_date_story.json")["hits"][0]


def comment_hit(object_id, created_at_i, *, text="I use GitLab CI for this", author="alice", parent_id=1, story_id=1):
    hit = copy.deepcopy(_COMMENT)
    hit.update(
        objectID=str(object_id),
        created_at_i=created_at_i,
        comment_text=text,
        author=author,
        parent_id=parent_id,
        story_id=story_id,
        _tags=["comment", f"author_{author}", f"story_{story_id}"],
    )
    return hit


def story_hit(object_id, created_at_i, *, title="Show HN: moving to GitLab", author="bob", story_text="", url=None):
    hit = copy.deepcopy(_STORY)
    hit.update(
        objectID=str(object_id),
        created_at_i=created_at_i,
        title=title,
        author=author,
        story_text=story_text,
        url=url,
        _tags=["story", f"author_{author}", f"story_{object_id}"],
    )
    return hit


def search_page(hits, *, page=0, nb_pages=1, hits_per_page=100, nb_hits=None):
    return {
        "hits": hits,
        "nbHits": len(hits) if nb_hits is None else nb_hits,
        "page": page,
        "nbPages": nb_pages,
        "hitsPerPage": hits_per_page,
        "exhaustiveNbHits": True,
        "query": "gitlab",
        "params": "query=gitlab",
        "processingTimeMS": 1,
    }
