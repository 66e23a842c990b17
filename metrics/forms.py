"""Filters of the KPI pages. Missing values fall back to defaults; wrong values are errors (400)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from channels.models import Channel
from mentions.date_range import DATE_RANGE_ERROR, EARLIEST_DATE, LATEST_DATE, date_in_range
from mentions.products import DeskProducts, desk_products

DEFAULT_DAYS = 30
__all__ = [
    "DATE_RANGE_ERROR",
    "DEFAULT_DAYS",
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_DAYS",
    "KpiFilterForm",
    "kpi_range",
]
MAX_DAYS = 366


def kpi_range(start: date | None, end: date | None, *, today: date) -> tuple[date, date]:
    """The days a KPI request means, the page's and the API's alike. A date given alone is always a range:
    left out, `to` is today moved into the MAX_DAYS days that start at `from` (a `from` still to come is
    that one day: its figures are zeros until it comes), and `from` is the DEFAULT_DAYS days up to `to`
    (never before EARLIEST_DATE). Given both, the caller refuses `from` after `to` or more than MAX_DAYS."""
    if end is None:
        end = today if start is None else min(max(today, start), start + timedelta(days=MAX_DAYS - 1))
        end = min(end, LATEST_DATE)
    if start is None:
        start = max(EARLIEST_DATE, end - timedelta(days=DEFAULT_DAYS - 1))
    return start, end


def product_field(products: DeskProducts) -> forms.Field:
    """The product select of the KPI filters (only when the desk has more than one: metrics.product_scope)."""
    # A text field shown as a select: clean_product takes a slug or an id as text (the API's way too).
    return forms.CharField(
        required=False,
        label="Product",
        widget=forms.Select(choices=[("", "All products"), *((p.slug, p.name) for p in products.products)]),
    )


def product_clean(products: DeskProducts, value: str) -> int | None:
    """The id of the product a `?product=` names (its slug, or its id as text); None for all. Unknown: an error."""
    if not value:
        return None
    product = products.by_slug(value)
    if product is None:
        shown = value if len(value) <= 40 else value[:39] + "…"
        raise forms.ValidationError(f"No product “{shown}”.")
    return product.pk


class KpiFilterForm(forms.Form):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD&channel=<id>&product=<slug>; a date left out is filled in by kpi_range
    (neither: the last 30 days). The product select is there only when the desk has more than one product: with one,
    the form, and so the pages, are as before (a `?product=` is then not read)."""

    to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.only("id", "name").order_by("name"), required=False, empty_label="All channels"
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so this field cannot be declared on the class.
        self.fields = {
            "from": forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})),
            **self.fields,
        }
        self.products = desk_products()
        if self.products.many:
            self.fields["product"] = product_field(self.products)

    def clean_product(self) -> int | None:
        return product_clean(self.products, self.cleaned_data.get("product") or "")

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        if not all(date_in_range(data.get(name)) for name in ("from", "to")):
            raise forms.ValidationError(DATE_RANGE_ERROR)
        start, end = kpi_range(data.get("from"), data.get("to"), today=timezone.localdate())
        if start > end:
            raise forms.ValidationError("“From” must be on or before “To”.")
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(f"Choose at most {MAX_DAYS} days.")
        data["from"], data["to"] = start, end
        # Show the defaults in the form's inputs too (a copy: the request's own GET is immutable; every field
        # here has one value, so a plain dict holds them all).
        self.data = {**self.data, "from": start.isoformat(), "to": end.isoformat()}
        return data

    @property
    def filters(self) -> dict:
        """The cleaned filters as selector keywords (only after is_valid())."""
        channel = self.cleaned_data.get("channel")
        return {
            "start": self.cleaned_data["from"],
            "end": self.cleaned_data["to"],
            "channel_id": channel.pk if channel else None,
        }

    @property
    def product_id(self) -> int | None:
        """The product the pages are narrowed to (metrics.product_scope.product_narrowed), None for all."""
        return self.cleaned_data.get("product")

    @property
    def querystring(self) -> str:
        """The same filters for export links."""
        f = self.filters
        query = f"from={f['start'].isoformat()}&to={f['end'].isoformat()}"
        query += f"&channel={f['channel_id']}" if f["channel_id"] else ""
        product = self.products.get(self.product_id) if self.product_id else None
        return query + (f"&product={product.slug}" if product else "")


def last_full_month(today: date | None = None) -> str:
    today = today or timezone.localdate()
    last_day = today.replace(day=1) - timedelta(days=1)
    return f"{last_day.year:04d}-{last_day.month:02d}"


def report_month_default(today: date | None = None) -> str:
    """The month the report opens on: the latest month with data. The last full month when it holds at least as
    many tickets as this month so far (a month in progress rarely outgrows a full one before its last days), else
    the latest month that has any (a new desk, or the demo, whose week is this month and whose last full month holds
    only a couple of older answered questions), else the last full month. Three counts on ticket_requested_idx."""
    from mentions.models import Ticket

    today = today or timezone.localdate()
    last_full = last_full_month(today)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=UTC)

    start = midnight(date(int(last_full[:4]), int(last_full[5:]), 1))
    this_month = midnight(today.replace(day=1))
    tickets = Ticket.objects.filter(requested_at__lt=midnight(today + timedelta(days=1)))
    in_last_full = tickets.filter(requested_at__gte=start, requested_at__lt=this_month).count()
    if in_last_full and in_last_full >= tickets.filter(requested_at__gte=this_month).count():
        return last_full
    latest = tickets.order_by("-requested_at").values_list("requested_at", flat=True).first()
    return f"{latest:%Y-%m}" if latest else last_full


class MonthForm(forms.Form):
    """?month=YYYY-MM; default: report_month_default(). A month picker in the browsers that have one; the others
    show a text box that takes the same YYYY-MM (`pattern`). A wrong month is said beside it (400)."""

    month = forms.CharField(
        required=False,
        label="Month",
        widget=forms.TextInput(
            attrs={
                "type": "month",
                "min": f"{EARLIEST_DATE:%Y-%m}",
                "max": f"{LATEST_DATE:%Y-%m}",
                "pattern": "[0-9]{4}-[0-9]{2}",
                "placeholder": "YYYY-MM",
            }
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.products = desk_products()
        if self.products.many:  # as on the KPI filters: only with more than one product
            self.fields["product"] = product_field(self.products)

    def clean_product(self) -> int | None:
        return product_clean(self.products, self.cleaned_data.get("product") or "")

    @property
    def product_id(self) -> int | None:
        return self.cleaned_data.get("product")

    @property
    def product_query(self) -> str:
        """ "&product=<slug>" when narrowed, for the report's links."""
        product = self.products.get(self.product_id) if self.product_id else None
        return f"&product={product.slug}" if product else ""

    def clean_month(self) -> tuple[date, date]:
        value = (self.cleaned_data.get("month") or "").strip() or report_month_default()
        # ASCII digits only: \d would take other scripts' digits ("²026-10"), which int() then misreads.
        match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            shown = value if len(value) <= 20 else value[:19] + "…"
            raise forms.ValidationError(f"“{shown}” is not a month. Give the month as YYYY-MM, e.g. 2026-10.")
        if not EARLIEST_DATE.year <= int(match.group(1)) <= LATEST_DATE.year:
            raise forms.ValidationError(f"Give a month from {EARLIEST_DATE:%Y-%m} to {LATEST_DATE:%Y-%m}.")
        # The picker shows the month the report is for, the default one too.
        # items(): a QueryDict's last value of each key (unpacked whole, it gave the product select its list).
        self.data = {**dict(self.data.items()), "month": value}
        start = date(int(match.group(1)), int(match.group(2)), 1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return start, end


class CommunityFilterForm(KpiFilterForm):
    """The KPI filters and `by` (day, week or month; left out: by the range's length, metrics.community.figures)."""

    by = forms.ChoiceField(
        required=False,
        label="By",
        choices=[("", "Automatic"), ("day", "Day"), ("week", "Week"), ("month", "Month")],
    )

    def by_for(self) -> str:
        """The period chosen, or the range's default (only after is_valid())."""
        from metrics.community.figures import by_default

        f = self.filters
        return self.cleaned_data.get("by") or by_default(f["start"], f["end"])

    @property
    def querystring(self) -> str:
        by = self.cleaned_data.get("by")
        return super().querystring + (f"&by={by}" if by else "")
