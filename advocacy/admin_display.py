"""Admin's shared pieces: the bases of the change lists of rows the desk records, and change-list cells that fit a
laptop screen (long text cut with the whole of it in a title, times short)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString


class RecordedAdmin(admin.ModelAdmin):
    """Rows the desk records as it works: listed and opened in admin, never added by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ReadOnlyAdmin(RecordedAdmin):
    """Rows the desk records that nobody edits either: a read-only page (its actions, if any, are the only changes)."""

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def cut(text: object, length: int) -> SafeString | str:
    """`text` (escaped) at most `length` characters; cut with "…", the whole text then in its title."""
    value = "" if text is None else str(text)
    if len(value) <= length:
        return value
    return format_html('<span title="{}">{}…</span>', value, value[: length - 1].rstrip())


def short_time(value: datetime | None) -> SafeString | str:
    """ "23 Nov 14:05" (UTC, as every time in admin), the full timestamp in the title; "-" for none."""
    if value is None:
        return "-"
    value = timezone.localtime(value)
    return format_html('<span title="{}">{}</span>', value.isoformat(timespec="seconds"), value.strftime("%d %b %H:%M"))


def time_column(field: str, description: str) -> Callable[[Any, Any], SafeString | str]:
    """A change list's column of the row's time `field`, short (`short_time`), sorted by it."""

    @admin.display(description=description, ordering=field)
    def column(admin_view: Any, obj: Any) -> SafeString | str:
        return short_time(getattr(obj, field))

    return column


def cut_column(field: str, description: str, length: int, ordering: str | None = None) -> Callable[[Any, Any], Any]:
    """A change list's column of the row's `field` as text, cut to `length` (`cut`); sorted by `ordering`, if any."""

    @admin.display(description=description, ordering=ordering)
    def column(admin_view: Any, obj: Any) -> SafeString | str:
        return cut(getattr(obj, field), length)

    return column
