import re
import unicodedata
from datetime import date, datetime
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import stringfilter, timesince_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.timesince import timesince

from advocacy.durations import duration_display
from advocacy.form_html import field_html
from channels.text import safe_url as _safe_url
from mentions.ticket_page.folds import fold_find

register = template.Library()

# The evidence a judgement names (mentions.judgement.evidence.like_earlier): "Like #812, which the team answered".
_LIKE_EARLIER = re.compile(r"\bLike #(\d{1,12}), which ")


@register.filter
def reason_linked(reason: str) -> SafeString:
    """A judgement's reason, escaped, with the earlier ticket it names ("Like #812, which ...") a link to that
    ticket: the advocate checks the evidence in one click. Only the number is read from the text; the rest is
    escaped as any reason is (it may quote the mention)."""
    from mentions.models.tickets import ticket_path

    text = reason or ""
    match = _LIKE_EARLIER.search(text)
    if match is None:
        return SafeString(conditional_escape(text))
    pk = int(match.group(1))
    return format_html(
        '{}Like <a href="{}" data-testid="judgement-earlier">#{}</a>, which {}',
        text[: match.start()],
        ticket_path(pk),
        pk,
        text[match.end() :],
    )


@register.filter
def safe_url(value: str) -> str:
    """Only http(s)/mailto URLs may become links; anything else (javascript:, data:) is dropped."""
    return _safe_url(value)


@register.filter
def host_of(value: str) -> str:
    """The host a link opens ("media.example.social"), said beside an attachment before it is opened."""
    from urllib.parse import urlsplit

    return urlsplit(value).hostname or ""


@register.filter
def opens_with(body: str, title: str) -> bool:
    """Whether a message's text begins with its title: a thread named after its first words (Discord's, a mail's
    subject quoted) shows its title once, not in bold above the same words."""
    head = (title or "").strip().rstrip("…").rstrip(".").strip().casefold()
    return bool(head) and (body or "").strip().casefold().startswith(head)


@register.filter
def get_item(mapping: dict, key):
    """mapping[key] or None (search snippets by ticket id)."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def event_details(data: dict) -> str:
    """`key: value` pairs of an event's data, leaving out empty values."""
    if not isinstance(data, dict):
        return ""
    shown = (
        (k, ", ".join(map(str, v)) if isinstance(v, list) else v)
        for k, v in data.items()
        if v not in (None, "", False, [], {})
    )
    return " · ".join(f"{k}: {v}" for k, v in shown)


@register.filter
def duration(seconds: float | None) -> str:
    """3 h 20 min, for times to answer."""
    return duration_display(seconds)


BREACH_FLAG = ' <span class="sla sla-breached" title="{}" data-testid="sla-breached-flag">SLA breached</span>'


@register.simple_tag
def sla_badge(ticket, now, flag: bool = False) -> str:
    """The ticket's first-reply clock: "2 h 15 m left" / "breached 40 m ago", coloured. With `flag` (the ticket
    page's facts), a recorded breach the clock does not show (a longer target since) is said beside it: one
    red badge per fact, never "breached 3 d ago" and "SLA breached" for the same one."""
    from mentions.services.sla import sla_clock

    clock = sla_clock(ticket, now)
    if clock is None:
        badge = format_html('<span class="sla sla-none muted" data-testid="sla">{}</span>', "—")
    else:
        badge = format_html(
            '<span class="sla sla-{}" title="{}" data-testid="sla">{}</span>', clock.state, clock.title, clock.text
        )
    if flag and ticket.sla_breached and (clock is None or clock.state != "breached"):
        badge += format_html(BREACH_FLAG, "The first-reply target was missed; the clock now runs to a later one.")
    return badge


@register.simple_tag
def sla_due(due_at, now) -> str:
    """A bare due time as "2 h 15 m left" / "breached 40 m ago"."""
    from django.utils.html import format_html

    from mentions.services.sla import clock_state, clock_text

    state = clock_state((due_at - now).total_seconds())
    return format_html(
        '<span class="sla sla-{}" title="{} UTC">{}</span>', state, f"{due_at:%Y-%m-%d %H:%M}", clock_text(due_at, now)
    )


# What mentions/_action_result.html renders when there is nothing to say yet: every control's slot on every
# ticket page, so written once here instead of an include each (seven on the page).
EMPTY_RESULT = (
    '<div class="action-result" id="result-{key}" role="status" aria-live="polite" data-testid="result-{key}"></div>'
)


@register.simple_tag(takes_context=True)
def action_result(context: template.Context, key: str, form: object = None) -> str:
    """The result slot beside the control `key` (mentions/_action_result.html): its form's errors, or what its
    action did (`done` when `done_key` is this key), announced; empty until there is something to say."""
    if not form and context.get("done_key") != key:
        return format_html(EMPTY_RESULT, key=key)
    return render_to_string(
        "mentions/_action_result.html",
        {"key": key, "form": form, "done_key": context.get("done_key"), "done": context.get("done")},
    )


@register.simple_tag
def snooze_said(ticket, user) -> str:
    """ "Snoozed until Mon Nov 30 9:00 (Europe/Berlin)" in the viewer's time zone; "" when not snoozed (and no
    query then: the zone is read only for a snoozed ticket)."""
    if not ticket.is_snoozed:
        return ""
    from mentions.services.snooze import advocate_zone, until_said

    said = until_said(ticket.snoozed_until, advocate_zone(user))
    return format_html('<span class="tag snoozed" data-testid="snoozed">{}</span>', said[:1].upper() + said[1:])


@register.simple_tag
def handover_said(ticket) -> str:
    """ "Handed over by Ana to Kim, to watch until Tue 07:00 UTC"; "" (and no query) for a ticket never handed over."""
    from mentions.models import HandOver
    from mentions.ticket_page.panels import ticket_has

    if not ticket_has(ticket, HandOver):
        return ""
    from mentions.services.handover import ticket_watch

    watch = ticket_watch(ticket)
    return format_html('<span class="tag handover" data-testid="handed-over">{}</span>', watch.said) if watch else ""


@register.simple_tag
def next_reply_due(ticket) -> str:
    """The next reply's clock on the ticket: "Next reply due: 2 h left" / "breached 40 m ago"; "" when none runs."""
    if ticket.next_reply_due_at is None:
        return ""
    from django.utils import timezone

    now = timezone.now()
    return format_html(
        '<span data-testid="next-reply">Next reply due: {}</span>', sla_due(ticket.next_reply_due_at, now)
    )


@register.filter(is_safe=True)
@stringfilter
def clip(value: str, length: int | str) -> str:
    """`truncatechars`, answered the same, faster: Django's walks the text character by character to count
    combining marks as no width, a Python loop per shown text (11 % of the story page's CPU with its 50 merge
    targets). Text no longer than `length` is answered as it is, and ASCII text (no combining marks) by a slice;
    the rest goes to Django's. tests/test_clip.py checks both answer the same."""
    try:
        limit = int(length)
    except (TypeError, ValueError):
        return value
    if limit <= 0:
        return ""
    if len(value) <= limit:
        # Normalised to NFC only shortens a text (as Django's does first), and a combining mark only lowers the
        # count: nothing to cut.
        return unicodedata.normalize("NFC", value) if not value.isascii() else value
    if value.isascii():
        return value[: limit - 1] + "…"
    return Truncator(value).chars(limit)


@register.filter(expects_localtime=True)
def stamp(value: Any, fmt: str) -> str:
    """`date`, answered the same, faster, for the formats the lists show on every row ("c", "Y-m-d H:i",
    "Y-m-d", "j M H:i"): Django's formats a date by dispatching each format character to a method (18-31 us a
    date here; the stories list shows two on each of its 100 rows). Any other format, or a value that is not a
    date, goes to Django's `date`. Converted to the current time zone first, as `date` is. tests/test_clip.py
    checks both answer the same."""
    if isinstance(value, datetime):
        if fmt == "c":
            return value.isoformat()
        if fmt == "Y-m-d H:i":
            return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"
        if fmt == "j M H:i":
            return f"{value.day} {str(MONTHS_3[value.month]).title()} {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, date) and fmt == "Y-m-d":
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return date_filter(value, fmt)


class _EnglishUnit:
    """A unit's English words ("%(num)d day", "%(num)d days"): what ngettext_lazy answers in English, without
    looking the translation up on every use."""

    def __init__(self, singular: str, plural: str) -> None:
        self.singular, self.plural = singular, plural

    def __mod__(self, values: dict[str, int]) -> str:
        return (self.singular if values["num"] == 1 else self.plural) % values


_ENGLISH_UNITS: Any = {  # Any: timesince's stubs ask for strings, and it uses only their `%`
    key: _EnglishUnit(f"%(num)d {key}", f"%(num)d {key}s") for key in ("year", "month", "week", "day", "hour", "minute")
}


@register.filter(is_safe=False)
def ago(value: Any, until: Any = None) -> str:
    """`timesince` (and `timesince:until`), answered the same, faster: Django's looks up each unit's translation
    on every use (half of its cost; the stories list shows it on each of its 100 rows). In English the words are
    fixed; in any other language, or for a value that is not a date, Django's answers. tests/test_clip.py checks
    both answer the same."""
    if not value or not isinstance(value, date) or not (translation.get_language() or "en").startswith("en"):
        return timesince_filter(value, until)
    try:
        return timesince(value, until or None, time_strings=_ENGLISH_UNITS)
    except (ValueError, TypeError):
        return ""


@register.simple_tag(takes_context=True)
def fold_slot(context: template.Context, name: str, message: int | None = None) -> str:
    """Where a closed fold's content comes when its <details> opens (mentions.ticket_page.folds): one request, with
    the version of the ticket this page shows; without JavaScript, a link to the page with every fold in it."""
    if fold_find(name) is None:
        raise template.TemplateSyntaxError(f"fold_slot: no fold named {name!r} (mentions.ticket_page.folds)")
    url = reverse("mentions:ticket-fold", args=[context["ticket"].pk, name])
    if message is not None:
        url += f"?message={int(message)}"
    return format_html(
        '<div class="fold-slot" hx-get="{}" hx-include="find input" hx-trigger="toggle once from:closest details" '
        'hx-swap="outerHTML"><input type="hidden" name="seen" value="{}"><a href="?panels=inline">Show it</a></div>',
        url,
        context.get("ticket_version", ""),
    )


@register.filter
def control(bound: Any) -> str:
    """A form field's control written out without Django's widget templates (advocacy.form_html)."""
    return field_html(bound)
