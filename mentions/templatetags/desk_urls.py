"""`{% fixed_url %}`: `{% url %}` for the links every page repeats, reversed once per process; `{% object_url %}`
the same for a URL whose one argument is an object's id (the ticket page's dozen action URLs).

The navigation and footer on every desk page reverse about sixteen URLs whose names and arguments are written
in the template; each `reverse()` walks the resolver again, a tenth of a signed-in 404's CPU
(bench/page_profile.py). Their answers only change with the URL configuration and the script prefix, both part
of the key here. Only for literal arguments: a variable (a ticket's id) would fill the table with one entry per
value (it is cleared when it grows past MAX_ENTRIES all the same); `object_url` keeps one entry per URL name,
reversed with a stand-in id that the object's id then replaces.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

MAX_ENTRIES = 512
# An id no desk reaches, matched by <int:pk>; it appears once in its reversed URL, where the real id goes.
STAND_IN = 2_147_480_009
_reversed: dict[tuple[str, str, str, tuple[str, ...]], str] = {}


@register.simple_tag
def fixed_url(name: str, *args: str) -> str:
    """reverse(name, args=args), as `{% url name *args %}` gives it (escaped the same way by the tag)."""
    key = (str(get_urlconf() or settings.ROOT_URLCONF), get_script_prefix(), name, args)
    url = _reversed.get(key)
    if url is None:
        if len(_reversed) >= MAX_ENTRIES:
            _reversed.clear()
        url = _reversed[key] = reverse(name, args=args)
    return url


@register.simple_tag
def object_url(name: str, pk: int | str) -> str:
    """reverse(name, args=[pk]), as `{% url name pk %}` gives it, for a URL whose only argument is an id (a
    template may hand it as text: anything but a whole number is refused, ValueError)."""
    key = (str(get_urlconf() or settings.ROOT_URLCONF), get_script_prefix(), name, ("<id>",))
    url = _reversed.get(key)
    if url is None:
        if len(_reversed) >= MAX_ENTRIES:
            _reversed.clear()
        url = _reversed[key] = reverse(name, args=[STAND_IN])
    head, _, tail = url.partition(str(STAND_IN))
    return f"{head}{int(pk)}{tail}"
