"""The admin page's form to start an import: where from, and what that needs (each error beside its field)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings

from imports.models import ImportRun
from imports.zendesk_api import subdomain_clean

EXPORTS_LISTED = 20


def export_directories() -> list[str]:
    """The directories under DESK_IMPORT_DIR by name (the first EXPORTS_LISTED, sorted), for the form to offer."""
    root = Path(settings.DESK_IMPORT_DIR)
    try:
        names = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:  # not made yet: nothing to offer
        return []
    return names[:EXPORTS_LISTED]


class ImportStartForm(forms.Form):
    kind = forms.ChoiceField(label="From", choices=ImportRun.Kind.choices)
    subdomain = forms.CharField(
        required=False, max_length=100, help_text="Zendesk's account, e.g. acme for acme.zendesk.com."
    )
    email = forms.EmailField(required=False, help_text="A Zendesk admin's e-mail address (API).")
    token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="That admin's Zendesk API token (API). Kept encrypted until the worker reads it, then dropped.",
    )
    path = forms.CharField(
        required=False,
        max_length=1000,
        help_text="A directory under the import directory on the server (DESK_IMPORT_DIR), by its name: Zendesk's "
        "JSON export, or tickets.jsonl / tickets.csv.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        found = export_directories()
        if found:
            # What is there to start from, so nobody has to know the server's folders (the demo's sample among them).
            self.fields["path"].help_text += f" There now: {', '.join(found)}."

    def clean_subdomain(self) -> str:
        value = self.cleaned_data.get("subdomain") or ""
        if not value:
            return ""
        try:
            return subdomain_clean(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ImportRun.Kind.ZENDESK_API:
            for name, said in (("subdomain", "the account"), ("email", "an admin's address"), ("token", "the token")):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, f"Importing from Zendesk's API needs {said}.")
        elif data.get("kind"):
            path = data.get("path") or ""
            # Only under DESK_IMPORT_DIR: the page must not turn any folder the desk's process can read into tickets
            # (`manage.py import_zendesk`, run by whoever has the server's shell, reads any).
            root = Path(settings.DESK_IMPORT_DIR).resolve()
            where = (root / path).resolve()
            if not path:
                self.add_error("path", "Give the directory to read.")
            elif not where.is_relative_to(root):
                self.add_error("path", f"Give a directory under {root} (DESK_IMPORT_DIR): the page reads only there.")
            elif not where.is_dir():
                self.add_error("path", f"No such directory on the server: {where}.")
            else:
                data["path"] = str(where)
        return data
