"""Connecting a receiver to the saves and deletes of models, as the apps' caches do to know they are stale."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save


def on_save_or_delete(receiver: Callable[..., Any], *models: type[Model], uid: str) -> None:
    """`receiver` runs after every save and every delete of a row of each of `models`. Each connection is named
    (`uid` and the model's name), so an app's ready() run twice connects nothing twice."""
    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, dispatch_uid=f"{uid}-{model.__name__}")
