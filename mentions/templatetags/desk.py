from django import template

from channels.text import safe_url as _safe_url

register = template.Library()


@register.filter
def safe_url(value: str) -> str:
    """Only http(s)/mailto URLs may become links; anything else (javascript:, data:) is dropped."""
    return _safe_url(value)


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
    from experts.selectors import duration_display

    return duration_display(seconds)
