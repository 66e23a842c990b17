"""Server-rendered inline SVG charts: pure functions from numbers and labels to markup.

Every label and value passes through `format_html` (which escapes it); the fragments are then joined and
marked safe here, once, so templates print a chart with `{{ chart }}` and never need `|safe`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

Series = tuple[str, Sequence[float | int | None]]

WIDTH = 720
HEIGHT = 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 16, 12, 56  # the legend is HTML under the chart (_legend)
SERIES_CLASSES = ("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7")
# Series whose colour means something (static/kpi.css): a chart of sentiments passes these, so negative is never
# drawn in the green the third series takes.
SENTIMENT_CLASSES = ("good", "neutral", "bad")


def _css(index: int, classes: Sequence[str] | None) -> str:
    chosen = classes or SERIES_CLASSES
    return chosen[index % len(chosen)]


X_LABEL_MAX = 14


def _num(value: float) -> str:
    return f"{value:.1f}"


def _scale_max(values: Sequence[float], target: float | None) -> float:
    top = max([v for v in values if v is not None] + ([target] if target is not None else []) + [0.0])
    if top <= 0:
        return 1.0
    return top * 1.1


def _join(parts: Sequence[SafeString]) -> SafeString:
    # Each part comes from format_html, so its interpolated text is already escaped.
    return mark_safe("".join(parts))  # noqa: S308


def _frame(
    *, title: str, body: Sequence[SafeString], width: int, height: int, css: str, legend: SafeString | str = ""
) -> SafeString:
    return format_html(
        '<svg class="chart {}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'preserveAspectRatio="xMinYMin meet"><title>{}</title>{}</svg>{}',
        css,
        width,
        height,
        title,
        _join(body),
        legend,
    )


def _whole_top(values: Sequence[float]) -> float:
    """For counts: a top that is a whole, even number (so the middle tick is whole too)."""
    top = max([v for v in values if v is not None] + [0])
    top = max(2, math.ceil(top * 1.1))
    return float(top + (top % 2))


def _tick(value: float, whole: bool) -> str:
    return f"{round(value):,}" if whole else _num(value)


def _axes(*, top: float, unit: str, width: int, height: int, whole: bool = False) -> list[SafeString]:
    bottom = height - PAD_BOTTOM
    parts = [
        format_html('<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', PAD_LEFT, PAD_TOP, PAD_LEFT, bottom),
        format_html(
            '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', PAD_LEFT, bottom, width - PAD_RIGHT, bottom
        ),
    ]
    for fraction in (0.0, 0.5, 1.0):
        y = bottom - fraction * (bottom - PAD_TOP)
        value = top * fraction
        parts.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="end">{} {}</text>',
                PAD_LEFT - 4,
                _num(y + 4),
                _tick(value, whole),
                unit,
            )
        )
    return parts


def _x_labels(labels: Sequence[str], xs: Sequence[float], *, height: int) -> list[SafeString]:
    step = max(1, -(-len(labels) // 12))  # at most ~12 labels along the axis
    parts = []
    for index, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if index % step:
            continue
        # Long labels (tag names) are cut so they stay inside the chart; the whole one is the tooltip.
        shown = label if len(label) <= X_LABEL_MAX else label[: X_LABEL_MAX - 1] + "…"
        parts.append(
            format_html(
                '<text class="xlabel" x="{}" y="{}" text-anchor="end" transform="rotate(-35 {} {})">'
                "<title>{}</title>{}</text>",
                _num(x),
                height - PAD_BOTTOM + 14,
                _num(x),
                height - PAD_BOTTOM + 14,
                label,
                shown,
            )
        )
    return parts


def _markers(marked: Sequence[int], xs: Sequence[float], *, band: float, label: str, height: int) -> list[SafeString]:
    parts = []
    for index in marked:
        if 0 <= index < len(xs):
            parts.append(
                format_html(
                    '<rect class="release-day" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>'
                    '<text class="release-label" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _num(xs[index] - band / 2),
                    PAD_TOP,
                    _num(band),
                    height - PAD_BOTTOM - PAD_TOP,
                    label,
                    _num(xs[index]),
                    PAD_TOP - 4,
                    label,
                )
            )
    return parts


_TARGET_KEY = mark_safe('<line class="target" x1="0" y1="5" x2="10" y2="5"/>')


def _key(css: str, shape: str) -> SafeString:
    """A legend's colour key: a tiny SVG of the chart's own class, so the colours have one rule each in the CSS."""
    mark = _TARGET_KEY if shape == "target" else format_html('<rect class="swatch {}" width="10" height="10"/>', css)
    return format_html('<svg class="chart key" viewBox="0 0 10 10" aria-hidden="true">{}</svg>', mark)


def _legend(series: Sequence[Series], *, extra: str = "", classes: Sequence[str] | None = None) -> SafeString:
    """The legend as HTML under the chart: it wraps and keeps the page's text size on a phone, where text inside
    the SVG shrinks with it (at 375 px to under half) and a long legend ran past its right edge."""
    items = [
        format_html("<li>{}{}</li>", _key(_css(i, classes), "swatch"), name) for i, (name, _v) in enumerate(series)
    ]
    if extra:
        items.append(format_html("<li>{}{}</li>", _key("", "target"), extra))
    return format_html('<ul class="chart-legend">{}</ul>', _join(items))


def line_chart(
    series: Sequence[Series],
    target: float | None = None,
    *,
    labels: Sequence[str],
    title: str,
    unit: str = "h",
    marked: Sequence[int] = (),
    marker_label: str = "release",
    width: int = WIDTH,
    height: int = HEIGHT,
    classes: Sequence[str] | None = None,
) -> SafeString:
    """Lines over `labels` (None values break the line), with an optional dashed target line."""
    values = [v for _name, vals in series for v in vals if v is not None]
    top = _scale_max(values, target)
    if unit == "%" and max(values, default=0) <= 100:
        top = min(top, 100.0)  # a share never passes 100 %: the axis said "110.0 %" above a line at 100 %
    bottom = height - PAD_BOTTOM
    n = max(len(labels), 1)
    span = width - PAD_LEFT - PAD_RIGHT
    xs = [PAD_LEFT + span * (i + 0.5) / n for i in range(len(labels))]

    def y_of(value: float) -> float:
        return bottom - (value / top) * (bottom - PAD_TOP)

    body = _axes(top=top, unit=unit, width=width, height=height)
    body += _markers(marked, xs, band=span / n, label=marker_label, height=height)
    if target is not None:
        body.append(
            format_html(
                '<line class="target" x1="{}" y1="{}" x2="{}" y2="{}"><title>target {} {}</title></line>',
                PAD_LEFT,
                _num(y_of(target)),
                width - PAD_RIGHT,
                _num(y_of(target)),
                _num(target),
                unit,
            )
        )
    for index, (name, vals) in enumerate(series):
        css = _css(index, classes)
        segments: list[list[str]] = [[]]
        for x, value in zip(xs, vals, strict=False):
            if value is None:
                segments.append([])
                continue
            segments[-1].append(f"{_num(x)},{_num(y_of(value))}")
        for points in segments:
            if len(points) > 1:
                body.append(format_html('<polyline class="line {}" points="{}"/>', css, " ".join(points)))
        for x, label, value in zip(xs, labels, vals, strict=False):
            if value is not None:
                body.append(
                    format_html(
                        '<circle class="dot {}" cx="{}" cy="{}" r="3"><title>{} {}: {} {}</title></circle>',
                        css,
                        _num(x),
                        _num(y_of(value)),
                        name,
                        label,
                        _num(value),
                        unit,
                    )
                )
    body += _x_labels(labels, xs, height=height)
    legend = _legend(series, extra=f"target {_num(target)} {unit}" if target is not None else "", classes=classes)
    return _frame(title=title, body=body, width=width, height=height, css="line-chart", legend=legend)


def bar_chart(
    series: Sequence[Series],
    *,
    labels: Sequence[str],
    title: str,
    unit: str = "",
    marked: Sequence[int] = (),
    marker_label: str = "release",
    width: int = WIDTH,
    height: int = HEIGHT,
    classes: Sequence[str] | None = None,
) -> SafeString:
    """Grouped bars: one group per label, one bar per series. Negative values are drawn as 0."""
    values = [max(v, 0) for _name, vals in series for v in vals if v is not None]
    # Counts (every value a whole number) get whole-number ticks: "3", never "2.5" or "3.3".
    whole = all(float(v).is_integer() for v in values)
    top = _whole_top(values) if whole else _scale_max(values, None)
    bottom = height - PAD_BOTTOM
    n = max(len(labels), 1)
    span = width - PAD_LEFT - PAD_RIGHT
    group = span / n
    bar = group * 0.8 / max(len(series), 1)
    xs = [PAD_LEFT + group * (i + 0.5) for i in range(len(labels))]

    body = _axes(top=top, unit=unit, width=width, height=height, whole=whole)
    body += _markers(marked, xs, band=group, label=marker_label, height=height)
    for s_index, (name, vals) in enumerate(series):
        css = _css(s_index, classes)
        for i, (label, value) in enumerate(zip(labels, vals, strict=False)):
            shown = max(value or 0, 0)
            h = (shown / top) * (bottom - PAD_TOP)
            x = PAD_LEFT + group * i + group * 0.1 + bar * s_index
            body.append(
                format_html(
                    '<rect class="bar {}" x="{}" y="{}" width="{}" height="{}"><title>{} {}: {}</title></rect>',
                    css,
                    _num(x),
                    _num(bottom - h),
                    _num(bar),
                    _num(h),
                    name,
                    label,
                    value if value is not None else "",
                )
            )
    body += _x_labels(labels, xs, height=height)
    legend = _legend(series, classes=classes)
    return _frame(title=title, body=body, width=width, height=height, css="bar-chart", legend=legend)


def hbar_list(rows: Sequence[tuple[str, int]], *, title: str) -> SafeString:
    """One line per name: the name whole (it wraps on a narrow screen, never cut), a bar as long as its value
    against the largest, and the value. For names (tags) an axis under an SVG chart had to cut to 14 characters,
    and a whole SVG scaled to a phone shrank its text; here the text is the page's. The bar is an SVG rect sized
    by attributes, not an inline style, which the CSP refuses."""
    top = max([value for _name, value in rows if value > 0], default=0)
    if not top:
        return format_html('<p class="muted">{}: nothing rose.</p>', title)
    items = [
        format_html(
            '<li><span class="hbar-label">{}</span>'
            '<svg class="hbar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">'
            '<rect x="0" y="0" width="{}" height="10"/></svg><span class="hbar-value">{}</span></li>',
            name,
            _num(100 * max(value, 0) / top),
            f"+{value}" if value > 0 else value,
        )
        for name, value in rows
    ]
    return format_html('<ol class="hbars" aria-label="{}">{}</ol>', title, _join(items))
