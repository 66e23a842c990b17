"""The product mark of a ticket's row (issue 71): nothing with one product (mentions.narrowing)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from mentions import narrowing

register = template.Library()


@register.simple_tag
def product_label(ticket: Any) -> SafeString | str:
    return narrowing.product_label(ticket.product_id)
