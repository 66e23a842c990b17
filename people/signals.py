"""Signal receivers of the people app (connected in people.apps)."""

from __future__ import annotations

from typing import Any

from mentions.live import change_stamp_move


def person_tags_changed(*, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        change_stamp_move()
