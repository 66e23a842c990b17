"""The product mark of a ticket's row (issue 71): nothing with one product (mentions.queue.product)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from mentions.queue import product

register = template.Library()


@register.simple_tag
def product_label(ticket: Any) -> SafeString | str:
    return product.product_label(ticket.product_id)
