"""A test client that knows whom it is signed in as."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.test import Client

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class SignedInClient(Client):
    """A test client signed in as `user` (set it, then `force_login(client.user)`)."""

    user: User
