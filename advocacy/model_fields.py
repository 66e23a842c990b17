"""What the code checks of a model's columns before it writes them."""

from __future__ import annotations

from django.db.models import CharField, Model


def max_length(model: type[Model], name: str) -> int:
    """The longest value a text column holds (a CharField's max_length), to check or cut a value before it
    is written."""
    column = model._meta.get_field(name)
    if not isinstance(column, CharField) or column.max_length is None:
        raise TypeError(f"{model.__name__}.{name} is not a CharField with a max_length")
    return column.max_length
