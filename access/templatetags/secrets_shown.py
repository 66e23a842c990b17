"""Template filters for a secret shown to its owner (the authenticator key on the set-up page)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def groups(value: str, size: int = 4) -> list[str]:
    """ "VA64F6TC2NDD…" as ["VA64", "F6TC", "2NDD", …]: read and typed four characters at a time."""
    value = str(value or "")
    return [value[i : i + size] for i in range(0, len(value), size)]
