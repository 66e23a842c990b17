"""The channel form of one kind, built from the adapter's `SCHEMA` (channels.adapters.schema).

Each setting is a field; the assembled config goes through the adapter's `validate_config`, the same check a
save from a script gets, and its message lands on the field it names. Credentials are write-only: never
rendered back, an empty field keeps the stored value. Two raw JSON boxes stay under "Advanced": a whole config
(replaces the fields when filled) and whole credentials (X's per-handle user tokens are a nested object no flat
field can hold)."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from django import forms

from channels.adapters import ConfigError, get_adapter
from channels.adapters.registry import PLATFORMS, platform_of
from channels.adapters.schema import Credential, KindSchema, Setting
from channels.models import Channel
from channels.secrets import CredentialsUnreadable

SETTING_PREFIX = "setting_"
CREDENTIAL_PREFIX = "credential_"
# A config key named in an adapter's message: "keywords" or handles[0].
_NAMED_KEY = re.compile(r'"(\w+)"|\b(\w+)\[\d+\]')


def _json_object(text: str | None, *, not_an_object: str, allow_empty: bool = True) -> dict[str, Any] | None:
    """A JSON object typed into an admin box; None when the box is empty."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(f"Not valid JSON (line {exc.lineno}, column {exc.colno}).") from None
    if not isinstance(value, dict) or (not value and not allow_empty):
        raise forms.ValidationError(not_an_object)
    return value


class WriteOnlyTextarea(forms.Textarea):
    """Never renders a value: a secret typed in is not sent back, even after an error."""

    def format_value(self, value):
        return ""


class WriteOnlyTextInput(forms.TextInput):
    """A credential that is not a secret (a username): typed in the clear, never shown back."""

    def format_value(self, value):
        return ""


def schema_of(kind: str) -> KindSchema:
    return get_adapter(kind).schema


def _setting_field(setting: Setting) -> forms.Field:
    common: dict[str, Any] = {"label": setting.label, "help_text": setting.help_text(), "required": setting.required}
    if setting.type == "int":
        return forms.IntegerField(**common, widget=forms.NumberInput(attrs={"placeholder": _placeholder(setting)}))
    if setting.type == "bool":
        return forms.BooleanField(**{**common, "required": False})
    if setting.type == "choice":
        return forms.ChoiceField(**common, choices=setting.choices)
    if setting.type in ("lines", "records"):
        rows = 3 if setting.type == "lines" else 4
        return forms.CharField(**common, widget=forms.Textarea(attrs={"rows": rows, "cols": 60}))
    return forms.CharField(**common, widget=forms.TextInput(attrs={"size": 50, "placeholder": setting.example}))


def _placeholder(setting: Setting) -> str:
    return f"{setting.default:,} (default)" if isinstance(setting.default, int) else ""


def _credential_field(credential: Credential) -> forms.Field:
    widget = (
        forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "size": 50})
        if credential.secret
        else WriteOnlyTextInput(attrs={"autocomplete": "off", "size": 30})
    )
    return forms.CharField(
        label=credential.label,
        required=False,
        strip=not credential.secret,
        widget=widget,
        help_text=f"{credential.help.rstrip('.')}. Write-only: leave empty to keep the stored value.",
    )


def _initial(setting: Setting, config: dict[str, Any]) -> Any:
    if setting.type in ("bool", "choice"):
        return config.get(setting.key, setting.default)
    value = config.get(setting.key)
    if value is None:
        return None
    if setting.type == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else json.dumps(value)
    if setting.type == "records":
        if not isinstance(value, list):
            return json.dumps(value)
        return "\n".join(" ".join(str(r.get(p, "")) for p in setting.parts) for r in value if isinstance(r, dict))
    return value


class ChannelForm(forms.ModelForm):
    """The fields every kind has; `channel_form_for` adds a kind's settings and credentials."""

    kind: str = ""
    schema: KindSchema = KindSchema()

    # A CharField, not a JSONField: an empty box must mean "use the fields", never render as "null".
    config = forms.CharField(
        required=False,
        label="Raw config (JSON)",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    new_credentials = forms.CharField(
        required=False,
        label="Raw credentials (JSON)",
        widget=WriteOnlyTextarea(attrs={"rows": 3, "cols": 60, "autocomplete": "off"}),
    )
    clear_credentials = forms.BooleanField(required=False, help_text="Remove every stored credential.")
    our_accounts = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        help_text="Our own usernames or handles on this platform, one per line (Stack Exchange: numeric user "
        "ids): their messages are our replies, never tickets.",
    )

    class Meta:
        model = Channel
        fields = [
            "name",
            "slug",
            "enabled",
            "high_priority",
            "poll_interval_seconds",
            "config",
            "our_accounts",
            "slack_channel",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.instance.kind = self.kind
        stored = self.instance.config if isinstance(self.instance.config, dict) else {}
        for setting in self.schema.settings:
            name = SETTING_PREFIX + setting.key
            if name not in self.initial:  # `?setting_…=` in the add URL wins
                self.initial[name] = _initial(setting, stored)
        self.initial["config"] = ""
        accounts = self.initial.get("our_accounts")
        if isinstance(accounts, list):
            self.initial["our_accounts"] = "\n".join(str(a) for a in accounts)
        # Each platform declares its example (channels/adapters/<kind>/platform.py).
        declared = platform_of(self.kind).config_example if self.kind in PLATFORMS else {}
        example = json.dumps(dict(declared), ensure_ascii=False)
        self.fields["config"].help_text = (
            "Leave empty to use the fields above. Filled, it replaces the whole config (validated the same "
            f"way). Example: {example}"
        )
        self.fields["new_credentials"].help_text = (
            "Write-only: filled, it replaces every stored credential (the fields above are then added to it). "
            + (self.schema.raw_credentials_note or "")
        )
        if self._raw_config_given():
            for setting in self.schema.settings:
                self.fields[SETTING_PREFIX + setting.key].required = False

    def _raw_config_given(self) -> bool:
        return self.is_bound and bool((self.data.get(self.add_prefix("config")) or "").strip())

    def clean_config(self) -> dict[str, Any] | None:
        return _json_object(self.cleaned_data.get("config"), not_an_object="The config must be a JSON object, e.g. {}.")

    def clean_our_accounts(self) -> list[str]:
        text = (self.cleaned_data.get("our_accounts") or "").strip()
        if text.startswith("["):  # a JSON list, as a script or an older form sends it
            try:
                value = json.loads(text)
            except ValueError:
                raise forms.ValidationError("One account per line (or a JSON list of names).") from None
            if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
                raise forms.ValidationError("One account per line (or a JSON list of names).")
            return [a.strip() for a in value if a.strip()]
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean_new_credentials(self) -> dict[str, Any] | None:
        # Never echo the input back: it is a secret (the JSON error says where, not what).
        return _json_object(
            self.cleaned_data.get("new_credentials"),
            not_an_object='Credentials must be a JSON object, e.g. {"key": "…"}.',
            allow_empty=False,
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if "config" in self.errors:
            return cleaned
        raw = cleaned.get("config")
        config = raw if raw is not None else self._config_from_fields()
        if config is None:
            # A setting already has its error: the model's check of what is stored would only add noise.
            cleaned.pop("config", None)
            self._config_unchecked = True
            return cleaned
        try:
            cleaned["config"] = get_adapter(self.kind).validate_config(config)
        except ConfigError as exc:
            field = self._field_named_in(str(exc), raw_given=raw is not None)
            if field == "config":
                self.add_error(field, str(exc))
            else:
                self.add_error(field, self._in_words(str(exc)))
                self._config_moved = {str(exc)}
            cleaned["config"] = config  # the model's own check then says the same, not something else
        self._require_credentials(cleaned.get("config"))
        return cleaned

    def _credentials_after_save(self) -> dict[str, Any]:
        """The credentials `save` would store: cleared, replaced by the raw box, or the stored ones, each with
        the fields typed in on top."""
        if self.cleaned_data.get("clear_credentials"):
            return {}
        raw = self.cleaned_data.get("new_credentials")
        base = raw if raw is not None else _readable_credentials(self.instance)
        return {**base, **self._typed_credentials()}

    def _typed_credentials(self) -> dict[str, str]:
        return {
            c.key: self.cleaned_data[CREDENTIAL_PREFIX + c.key]
            for c in self.schema.credentials
            if (self.cleaned_data.get(CREDENTIAL_PREFIX + c.key) or "").strip()
        }

    def _require_credentials(self, config: dict[str, Any] | None) -> None:
        """Refuse a channel that could not be read: each credential its platform requires (its declaration's
        `credentials_required`) must be stored or typed in, said beside that credential's field."""
        if self.kind not in PLATFORMS or "new_credentials" in self.errors:
            return
        platform = platform_of(self.kind)
        have = self._credentials_after_save()
        labels = {c.key: c.label for c in self.schema.credentials}
        for key in platform.required_credentials(config or {}):
            value = have.get(key)
            if value.strip() if isinstance(value, str) else value:
                continue
            name = CREDENTIAL_PREFIX + key
            label = labels.get(key, key)
            message = f"Required: {platform.label} cannot be read without “{label}”. Enter it here."
            self.add_error(name if name in self.fields else "new_credentials", message)

    def full_clean(self) -> None:
        super().full_clean()
        # Channel.clean() (run by ModelForm._post_clean, the last step of full_clean) ran the adapter's check
        # again and put its message on "config": keep each message once, on the field it is about (in words
        # there, so not the same string: `_config_moved`).
        if getattr(self, "_config_unchecked", False):
            self.errors.pop("config", None)
        if "config" in self.errors:
            said = {m for name, errors in self.errors.items() if name != "config" for m in errors}
            said |= getattr(self, "_config_moved", set())
            errors = self.errors["config"]
            errors[:] = list(dict.fromkeys(m for m in errors if m not in said))
            if not errors:
                del self.errors["config"]

    def _config_from_fields(self) -> dict[str, Any] | None:
        stored = self.instance.config if isinstance(self.instance.config, dict) else {}
        config: dict[str, Any] = {}
        for setting in self.schema.settings:
            name = SETTING_PREFIX + setting.key
            if name in self.errors:
                return None
            value = self.cleaned_data.get(name)
            if setting.type in ("bool", "choice"):
                # Written when it differs from the default or was written before: the stored JSON stays as
                # small as the admin made it.
                if setting.key in stored or value != setting.default:
                    config[setting.key] = value
            elif setting.type == "int":
                if value is not None:
                    config[setting.key] = value
            elif setting.type == "lines":
                lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
                if lines:
                    config[setting.key] = lines
            elif setting.type == "records":
                records = self._records(setting, value or "")
                if records is None:
                    return None
                if records:
                    config[setting.key] = records
            elif text := (value or "").strip():
                config[setting.key] = text
        return config

    def _records(self, setting: Setting, text: str) -> list[dict[str, str]] | None:
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            values = line.split()
            if not values:
                continue
            if len(values) != len(setting.parts):
                self.add_error(
                    SETTING_PREFIX + setting.key,
                    f"Line {number}: write {', '.join(setting.parts)} separated by spaces, e.g. {setting.example}.",
                )
                return None
            records.append(dict(zip(setting.parts, values, strict=True)))
        return records

    def _field_named_in(self, message: str, *, raw_given: bool) -> str | None:
        """The form field an adapter's message is about: the first setting it names; the raw box when the
        config came from there; else the whole form."""
        if raw_given:
            return "config"
        for match in _NAMED_KEY.finditer(message):
            key = match.group(1) or match.group(2)
            if key in self.schema.settings_by_key:
                return SETTING_PREFIX + key
        return None

    def _in_words(self, message: str) -> str:
        """The adapter's message about fields: each config key it quotes named by the field's label."""
        for setting in self.schema.settings:
            message = message.replace(f'"{setting.key}"', f"“{setting.label}”")
        return message

    def save(self, commit: bool = True) -> Channel:
        channel = super().save(commit=False)
        updates = self._typed_credentials()
        raw = self.cleaned_data.get("new_credentials")
        if self.cleaned_data.get("clear_credentials"):
            channel.credentials = {}
        elif raw is not None or updates:
            base = raw if raw is not None else _readable_credentials(channel)
            channel.credentials = {**base, **updates}
        if commit:
            channel.save()
        return channel


def _readable_credentials(channel: Channel) -> dict[str, Any]:
    # Unreadable ones (the key changed) are what the admin is replacing: start afresh.
    try:
        return channel.credentials
    except CredentialsUnreadable:
        return {}


@cache
def channel_form_for(kind: str) -> type[ChannelForm]:
    """The form class of one kind: its settings and credentials as declared fields."""
    schema = schema_of(kind)
    declared: dict[str, Any] = {"kind": kind, "schema": schema, "__module__": __name__}
    declared |= {SETTING_PREFIX + s.key: _setting_field(s) for s in schema.settings}
    declared |= {CREDENTIAL_PREFIX + c.key: _credential_field(c) for c in schema.credentials}
    return type(f"ChannelForm_{kind}", (ChannelForm,), declared)


def setting_field_names(kind: str) -> list[str]:
    return [SETTING_PREFIX + s.key for s in schema_of(kind).settings]


def credential_field_names(kind: str) -> list[str]:
    return [CREDENTIAL_PREFIX + c.key for c in schema_of(kind).credentials]
