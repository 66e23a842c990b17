"""The product mark of a ticket's row (issue 71): nothing with one product (mentions.narrowing)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from mentions import narrowing

register = template.Library()


@register.simple_tag
def product_label(ticket: Any, narrowed_to: int | None = None) -> SafeString | str:
    """`narrowed_to`: the product a list is narrowed to (the ticket list's `query.product_id`): every row is of it, so
    no row repeats the mark, which only took the subject's room (narrowed, each subject was cut to a word)."""
    if narrowed_to:
        return ""
    return narrowing.product_label(ticket.product_id)
