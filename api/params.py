"""The query parameters of the API's lists, checked as the schema states them (the schema is made from these
serializers). A parameter sent empty (`?status=`) is the same as one left out, as in the pages' forms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers

from api.fields import Matching, QueryDate, QueryInt, QueryText
from mentions.models import Intent, Judgement, Sentiment, Ticket
from mentions.narrowing import product_clean
from mentions.products import desk_products
from mentions.search.text import JUDGEMENT_NONE, JUDGEMENT_UNSURE
from metrics.forms import DEFAULT_DAYS, EARLIEST_DATE, LATEST_DATE, MAX_DAYS, kpi_range

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BIGINT = 2**63 - 1
# The parameter's description replaces its schema's in the OpenAPI document: each date's says its bounds.
BOUNDS = f"From {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}."


def _dates(help_from: str, help_to: str) -> dict[str, serializers.Field]:
    # "from" is a Python keyword: these fields are added by name.
    return {
        "from": QueryDate(
            earliest=EARLIEST_DATE, latest=LATEST_DATE, required=False, help_text=f"{help_from} {BOUNDS}"
        ),
        "to": QueryDate(earliest=EARLIEST_DATE, latest=LATEST_DATE, required=False, help_text=f"{help_to} {BOUNDS}"),
    }


def _one_of(what: str, values: list[str]) -> dict[str, str | StrOrPromise]:
    return {"invalid_choice": f'"{{input}}" is not a {what} the desk knows: one of {", ".join(values)}.'}


class TicketListParams(serializers.Serializer):
    """The ticket list's parameters (mentions.forms.TicketFilterForm reads them next, as on the page)."""

    q = QueryText(required=False, help_text="Search words, as in the list's box.")
    status = serializers.ChoiceField(choices=Ticket.Status.values, required=False)
    channel = QueryInt(min_value=1, max_value=BIGINT, required=False, help_text="A channel's id.")
    assignee = Matching(r"none|me|[0-9]{1,18}", required=False, help_text='A user\'s id, "me" or "none" (unassigned).')
    tag = QueryText(required=False, help_text="A tag's name.")
    priority = serializers.ChoiceField(choices=Ticket.Priority.values, required=False)
    judgement = serializers.ChoiceField(
        choices=[*Judgement.values, JUDGEMENT_UNSURE, JUDGEMENT_NONE],
        required=False,
        help_text='The desk\'s judgement; "unsure": judged by the desk below its line (DESK_JUDGEMENT_UNSURE_BELOW; '
        'stored as needs_response, so "needs_response" lists them too); "none": not judged yet.',
        error_messages=_one_of("judgement", [*Judgement.values, JUDGEMENT_UNSURE, JUDGEMENT_NONE]),
    )
    intent = serializers.ChoiceField(
        choices=Intent.values,
        required=False,
        help_text="The desk's intent.",
        error_messages=_one_of("intent", Intent.values),
    )
    sentiment = serializers.ChoiceField(
        choices=Sentiment.values,
        required=False,
        help_text="The desk's sentiment.",
        error_messages=_one_of("sentiment", Sentiment.values),
    )
    order = serializers.ChoiceField(
        choices=["newest", "time_left"], required=False, help_text="Best match (a search) or newest when left out."
    )
    product = QueryText(
        required=False,
        help_text="Only this product's tickets (issue 71): its slug or its id (the `product` of each ticket); the "
        "desk's first product holds the tickets without a product too. A product the desk does not have is a 400.",
    )
    page = QueryInt(min_value=1, max_value=1000, required=False)

    def validate_product(self, value: str) -> str:
        return product_checked(value)

    def get_fields(self) -> dict:
        return {**super().get_fields(), **_dates("Requested on or after this day.", "Requested on or before this day.")}

    def validate(self, data: dict) -> dict:
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            raise serializers.ValidationError({"to": ["The end date is before the start date."]})
        return data


def product_checked(value: str) -> str:
    """A `?product=` the desk has (its slug, or "" for none asked); the desk's products named when it has not."""
    try:
        return product_clean(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc


class ViewListParams(serializers.Serializer):
    product = QueryText(
        required=False,
        help_text="Each view narrowed to this product (its slug or its id): its waiting tickets, figures and "
        "forecast; another product's views are left out. A product the desk does not have is a 400.",
    )

    def validate_product(self, value: str) -> str:
        return product_checked(value)


class KpiParams(serializers.Serializer):
    """The KPI page's range rule (metrics.forms.kpi_range): a date given alone is always taken, the other filled
    in as the page fills it; given both, `from` not after `to` and at most MAX_DAYS days."""

    channel = QueryInt(min_value=1, max_value=BIGINT, required=False, help_text="One channel's figures (its id).")
    product = QueryText(
        required=False,
        help_text="One product's figures (its slug, or its id): its tickets, and for the desk's first product those "
        "without one too (docs/products.md). Left out: the whole desk's. A product the desk does not have is a 400.",
    )

    def validate_product(self, value: str) -> int | None:
        # As the tickets' and views' `product` (product_checked): a 400 naming the parameter and the desk's products,
        # so a client reads one answer for an unknown product wherever it sends one.
        slug = product_checked(value)
        product = desk_products().by_slug(slug) if slug else None
        return product.pk if product is not None else None

    def get_fields(self) -> dict:
        return {
            **_dates(
                f"First day (UTC). Left out: the {DEFAULT_DAYS} days up to `to`. "
                f"With `to`: not after it, and at most {MAX_DAYS} days before it.",
                f"Last day (UTC). Left out: today, moved into the {MAX_DAYS} days from `from` when `from` is given "
                "(a `from` still to come: that day alone, its figures zeros).",
            ),
            **super().get_fields(),
        }

    def validate(self, data: dict) -> dict:
        start, end = kpi_range(data.get("from"), data.get("to"), today=timezone.localdate())
        errors: dict[str, list[str]] = {}
        if start > end:
            errors["from"] = ["`from` must not be after `to`."]
        elif (end - start).days + 1 > MAX_DAYS:
            errors["from"] = [f"Choose at most {MAX_DAYS} days from `from` to `to`."]
        if errors:
            raise serializers.ValidationError(errors)
        return {**data, "from": start, "to": end}


class ChangesParams(serializers.Serializer):
    after = Matching(
        r"[0-9]{1,18}\.[0-9]{1,18}",
        required=False,
        help_text="A position this feed gave (the `next` of an earlier answer, `<number>.<number>`); "
        "left out or empty: the start.",
    )
    limit = QueryInt(min_value=1, max_value=1000, required=False, help_text="At most this many (default 500).")


class PeopleParams(serializers.Serializer):
    """The people list's search (people.selectors.people_first): a handle, a name or an address."""

    q = QueryText(required=False, help_text="A handle (with or without @), part of a name, or an e-mail address.")
    page = QueryInt(min_value=1, max_value=1000, required=False)
    level = QueryText(
        required=False,
        help_text="Only people at this level of the contributor journey (its name, any case; none: nobody).",
    )


class StoryParams(serializers.Serializer):
    """The story list: live stories (not merged into another), newest activity first."""

    state = serializers.ChoiceField(
        choices=["open", "answered", "closed"], required=False, help_text="Only stories in this state."
    )
    cursor = Matching(
        r"[0-9]{1,18}\.[0-9]{1,18}",
        required=False,
        help_text="A position the list gave (in the `next` of an earlier answer); left out: the start.",
    )
    limit = QueryInt(min_value=1, max_value=200, required=False, help_text="At most this many (default 50).")


class AnalyticsParams(KpiParams):
    """The analytics endpoints' parameters (api.analytics_views): the KPI range and channel, and `by`."""

    by = serializers.ChoiceField(
        choices=["day", "week", "month"],
        required=False,
        help_text="The period each row counts (a week from Monday, named by its Monday; a month by its first day). "
        "Left out: day for a range of 31 days or less, week up to 183, month beyond.",
        error_messages=_one_of("period", ["day", "week", "month"]),
    )


class VolumeParams(AnalyticsParams):
    group = serializers.ChoiceField(
        choices=["platform", "sentiment", "intent", "judgement"],
        required=False,
        help_text="What each row is split by: the platform's kind, the sentiment, intent or judgement as stored "
        '("unjudged" for a mention not judged yet). Left out: platform.',
        error_messages=_one_of("grouping", ["platform", "sentiment", "intent", "judgement"]),
    )
