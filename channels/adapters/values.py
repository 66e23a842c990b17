"""Reading loosely typed values out of platform JSON and headers."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .base import ConfigError


def finite_number(value: Any) -> float | None:
    """A finite number from a JSON value or a header string ("599.0"); None for anything else
    (booleans, NaN, infinity, text)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


Config = dict[str, Any]


def with_defaults(defaults: Config, validate: Callable[[Config], Config]) -> Callable[[Config], Config]:
    """A kind's `settings_of`: the config validated (`validate`, a ConfigError naming the field at fault), with
    every default filled in."""
    return lambda config: {**defaults, **validate(config)}


def https_root(
    value: Any,
    *,
    key: str = "base_url",
    what: str,
    example: str,
    credential: str,
    subfolder: Callable[[str], bool] | None = None,
    not_root: str = "",
    local_http: frozenset[str] = frozenset(),
) -> str:
    """The root address of a platform's instance, normalised ("https://host[:port][/subfolder]"), else a
    ConfigError in the admin's words. https only, since the desk sends a credential with every request; plain
    http only to a host of `local_http` (a service on this machine). No user:password (a credential shown in
    every log line of the address), no ?query or #fragment, and a path only where `subfolder` accepts its one
    segment (an install under a folder). `what` and `example` name the instance for the platform
    ("the forum's address", 'e.g. "https://forum.gitlab.com"'); `not_root` names what a wrong path usually is."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f'"{key}" is required: {what}, {example}.')
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and parts.hostname in local_http):
        raise ConfigError(f'"{key}" must start with https://, {example}; got {url[:100]!r}.')
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ConfigError(f'"{key}" {url[:100]!r} has an invalid port.') from None
    if not host:
        raise ConfigError(f'"{key}" {url[:100]!r} has no host name; {example}.')
    if parts.username or parts.password:
        raise ConfigError(f'"{key}" must not contain a user name or password: {credential} goes in the credentials.')
    if parts.query or parts.fragment:
        raise ConfigError(f'"{key}" must not have a ?query or #fragment: just {what}, {example}.')
    segments = [s for s in parts.path.split("/") if s]
    if segments and (subfolder is None or len(segments) > 1 or not subfolder(segments[0])):
        where = " or its subfolder" if subfolder else ", without a path"
        raise ConfigError(
            f'"{key}" must be {what}{where}{f", not {not_root}" if not_root else ""}: {example}; got {url[:100]!r}.'
        )
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    return f"{scheme}://{netloc}{'/' + segments[0] if segments else ''}"


def keyword_list(
    value: Any,
    *,
    key: str = "keywords",
    what: str = "search terms",
    example: str = '["gitlab"]',
    max_length: int | None = None,
    max_count: int | None = None,
    fold_spaces: bool = True,
    skip_blank: bool = False,
    required: bool = False,
    case_sensitive: bool = False,
) -> list[str]:
    """A list of search words from a config, each stripped (with `fold_spaces`, inner runs of white space made one
    space), duplicates dropped (ignoring case, as the platforms' searches do, unless `case_sensitive`), else a
    ConfigError in the admin's words. A blank entry is refused, or with `skip_blank` left out (a form's empty
    line); `max_count` counts the list as given, so that no list refused for its length before is taken now."""
    if not isinstance(value, list) or (required and not value):
        raise ConfigError(f'"{key}" must be a {"non-empty " if required else ""}list of {what}, e.g. {example}.')
    if max_count is not None and len(value) > max_count:
        raise ConfigError(f'"{key}" lists {len(value)}; at most {max_count}.')
    if not all(isinstance(v, str) and (skip_blank or v.strip()) for v in value):
        raise ConfigError(f'Every entry of "{key}" must be a {"" if skip_blank else "non-empty "}string.')
    words: dict[str, str] = {}
    for word in (" ".join(v.split()) if fold_spaces else v.strip() for v in value):
        if max_length is not None and len(word) > max_length:
            raise ConfigError(f'Each of "{key}" is at most {max_length} characters; {word[:40]!r}… is longer.')
        if word:
            words.setdefault(word if case_sensitive else word.casefold(), word)
    return list(words.values())
