"""Who may work the queue: every page of the desk but the KPIs and admin asks for it. The ticket page and its own
requests also open to an expert (`mentions.draft_replies`), who replies there for an advocate's approval."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied

from mentions.services.approval_rule import can_draft

work_queue = permission_required("mentions.work_queue", raise_exception=True)


def ticket_open(view: Callable) -> Callable:
    """The ticket page and what it loads or posts for its reply: advocates, managers, and experts (whose replies
    wait for approval; every action of the queue's still refuses them: mentions.services.events.ensure_can_act)."""

    @wraps(view)
    def checked(request: Any, *args: Any, **kwargs: Any) -> Any:
        if not can_draft(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked
