"""What an admin can set on a channel of one kind, declared once beside the adapter's settings.

Each kind's config module has a `SCHEMA` (`KindSchema`): its settings (`Setting`: a config key, its form type,
help, example, default and bounds) and its credentials (`Credential`: a key of the encrypted credentials). It is
the one declaration of those facts: the admin builds the channel form from it (intake.admin.channel_forms), the
module's `DEFAULTS` are `SCHEMA.defaults`, and its `validate_config` starts with `SCHEMA.checked`, which refuses
unknown keys, booleans and whole numbers out of bounds and runs each setting's own `clean`; what is left in
`validate_config` is the platform's own (a rule across settings). It stays the only validator, so a form and a
script that stores a config get the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from .base import ConfigError
from .values import keyword_list

SettingType = Literal["text", "int", "bool", "choice", "lines", "records"]


@dataclass(frozen=True)
class Setting:
    """One config key as a form field.

    `type`: "text" (a string), "int" (a whole number), "bool" (true/false), "choice" (one of `choices`),
    "lines" (a list of strings, one per line) or "records" (a list of objects, one per line, their values
    `parts` separated by spaces). An empty field leaves the key out, so the adapter's default applies: `default`,
    or for a list with none an empty list; `empty` says in words what applies when that is no value of the key's
    own ("the address"). `clean` checks and normalises a value given (or, for a `required` setting, the missing
    one: None), else a ConfigError naming the key."""

    key: str
    label: str
    type: SettingType
    help: str
    example: str = ""
    default: Any = None
    required: bool = False
    limits: tuple[int, int] | None = None
    choices: tuple[tuple[str, str], ...] = ()
    parts: tuple[str, ...] = ()
    empty: str = ""
    clean: Callable[[Any], Any] | None = field(default=None, compare=False, repr=False)

    def checked(self, value: Any) -> Any:
        """A value given for this setting, checked and cleaned by `clean`, else a ConfigError naming the key: a
        "bool" is true or false, an "int" with `limits` a whole number within them (JSON true is not 1 here)."""
        if self.type == "bool" and not isinstance(value, bool):
            raise ConfigError(f'"{self.key}" must be true or false.')
        if self.type == "int" and self.limits:
            low, high = self.limits
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f'"{self.key}" must be a whole number from {low} to {high}; got {value!r}.')
        return self.clean(value) if self.clean else value

    def help_text(self) -> str:
        said = [self.help.rstrip(".") + "."]
        if self.limits:
            said.append(f"{self.limits[0]:,} to {self.limits[1]:,}.")
        if self.example:
            said.append(f"Example: {self.example}")
        if self.default not in (None, "", [], ()) and self.type != "bool":
            shown = dict(self.choices).get(self.default, self.default)
            said.append(f"Empty: {shown:,}." if isinstance(shown, int) else f"Empty: {shown}.")
        elif self.empty:
            said.append(f"Empty: {self.empty}.")
        return " ".join(said)


@dataclass(frozen=True)
class Credential:
    """One key of the channel's encrypted credentials. Always write-only in admin: never shown back, an
    empty field keeps the stored value. `secret` False only changes the input from a password box to text."""

    key: str
    label: str
    help: str
    secret: bool = True


@dataclass(frozen=True)
class KindSchema:
    # The one line on admin's kind picker is the platform's `help_text` (channels.adapters.platform).
    settings: tuple[Setting, ...] = ()
    credentials: tuple[Credential, ...] = ()
    # Credentials that are not flat strings (X's per-handle tokens): only the raw JSON box can set them.
    raw_credentials_note: str = ""
    settings_by_key: dict[str, Setting] = field(init=False, repr=False, compare=False)
    # What a setting left out is: its default, or an empty list for a list without one.
    defaults: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "settings_by_key", {s.key: s for s in self.settings})
        defaults = {
            s.key: [] if s.default is None else s.default
            for s in self.settings
            if s.default is not None or s.type in ("lines", "records")
        }
        object.__setattr__(self, "defaults", defaults)

    def checked(self, config: Any, platform: str, example: str) -> dict[str, Any]:
        """`config` with each setting it gives (and each `required` one with a `clean`) checked and cleaned by
        `Setting.checked`, else a ConfigError naming the key at fault; it must be a JSON object naming only
        known settings. What is not given stays out, so a valid config reads back as it was written."""
        if not isinstance(config, dict):
            raise ConfigError(f"Config must be a JSON object like {example}.")
        allowed = set(self.settings_by_key)
        unknown = set(config) - allowed
        if unknown:
            raise ConfigError(
                f"Unknown {platform} setting(s): {', '.join(sorted(map(str, unknown)))}. "
                f"Allowed: {', '.join(sorted(allowed))}."
            )
        result = dict(config)
        for setting in self.settings:
            if setting.key in config or (setting.required and setting.clean):
                result[setting.key] = setting.checked(config.get(setting.key))
        return result


# Settings most polled kinds share, worded once.
OVERLAP_HELP = "Seconds re-read before the last item seen, so late-indexed items are not missed"
BACKFILL_HOURS_HELP = "How far back the first poll of a new channel reads, in hours"
MAX_REQUESTS_HELP = "Requests one poll may make; the rest of a backlog waits for the next poll"
SHARED_INTS: dict[str, tuple[str, str]] = {
    "overlap_seconds": ("Overlap (seconds)", OVERLAP_HELP),
    "backfill_hours": ("Backfill (hours)", BACKFILL_HOURS_HELP),
    "max_requests_per_poll": ("Requests per poll", MAX_REQUESTS_HELP),
}


def number(key: str, default: int, limits: tuple[int, int], words: tuple[str, str] | None = None) -> Setting:
    """A whole-number setting within `limits`; its label and help are `words`, or for a key of `SHARED_INTS` the
    words every kind shares."""
    label, help = words or SHARED_INTS[key]
    return Setting(key, label, "int", help, default=default, limits=limits)


def keywords(help: str, example: str = "", **rules: Any) -> Setting:
    """The "keywords" setting most kinds have: words one per line, cleaned by `keyword_list` with the kind's `rules`."""
    return Setting("keywords", "Keywords", "lines", help, example, clean=partial(keyword_list, **rules))
