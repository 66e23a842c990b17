"""What the team configures in admin and every ticket page reads: the active saved replies, whether a knowledge
source is active, the trackers an issue can be filed in and the default one. They change a few times a month, so
they are kept in each process's memory under one version (advocacy.versioned: one cache round trip a read, no
query); the apps that own them bump it when one of their rows is saved or deleted (their apps.py connects
`desk_settings_changed`), and a saved reply's use bumps it too (its count orders the picker).

Values are shared by every request of the process: callers must not change them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from advocacy.versioned import version_bump, versioned

T = TypeVar("T")

VERSION_KEY = "desk-settings:version"
TTL = 3600


def desk_setting(name: str, build: Callable[[], T]) -> T:
    """`build()`'s value for the settings' current version."""
    return versioned(VERSION_KEY, name, build, ttl=TTL)


def desk_settings_changed(**kwargs: Any) -> None:
    """A signal handler (post_save, post_delete): every setting is built again at its next read."""
    version_bump(VERSION_KEY)
