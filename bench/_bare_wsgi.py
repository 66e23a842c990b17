"""The WSGI application bench/pages.py serves: the desk's own, plus one bare Django page as the reference.

`/bench/bare/` is answered by a Django handler with no middleware, one URL pattern and one view that
touches no database, in the same gunicorn workers as the desk's pages: what any Django page costs at
the least on this machine, so a page's CPU per request can be read as a multiple of it. Every other
path goes to `advocacy.wsgi.application` unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.test.utils import override_settings
from django.urls import path

from advocacy.wsgi import application as desk

BARE_PATH = "/bench/bare/"


def bare_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH.strip("/") + "/", bare_view)]


class BareHandler(WSGIHandler):
    """Django's WSGI handler without the project's middleware, resolving against this module's URLs."""

    def get_response(self, request: HttpRequest) -> Any:
        request.urlconf = __name__  # Django resolves against it when a request carries one
        return super().get_response(request)


# The handler loads its middleware once, when it is made: made with none.
with override_settings(MIDDLEWARE=[]):
    bare = BareHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    handler = bare if environ.get("PATH_INFO") == BARE_PATH else desk
    return handler(environ, start_response)
