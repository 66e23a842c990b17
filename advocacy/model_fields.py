"""What the code checks of a model's columns before it writes them."""

from __future__ import annotations

from django.db import models
from django.db.models import CharField, Model


def max_length(model: type[Model], name: str) -> int:
    """The longest value a text column holds (a CharField's max_length), to check or cut a value before it
    is written."""
    column = model._meta.get_field(name)
    if not isinstance(column, CharField) or column.max_length is None:
        raise TypeError(f"{model.__name__}.{name} is not a CharField with a max_length")
    return column.max_length


def product_link(help_text: str, *, on_delete=models.SET_NULL, related_name: str = "+") -> models.ForeignKey:
    """A row's product (issue 71, docs/products.md), optional: empty means the desk's first product or every product,
    as each model's help text says. By name: apps below mentions (channels) import nothing of it."""
    return models.ForeignKey(
        "mentions.ProductProfile",
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name=related_name,
        help_text=help_text,
    )
