"""The types of the requests views receive, as the middleware leaves them (annotations only: nothing
creates one)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class SignedInRequest(HttpRequest):
    """A request that got past LoginRequiredMiddleware (every view not marked `login_not_required`): its
    `user` is a person, never AnonymousUser."""

    user: User


class HtmxRequest(HttpRequest):
    """A request past django-htmx's middleware: `request.htmx` says whether htmx sent it."""

    htmx: HtmxDetails
