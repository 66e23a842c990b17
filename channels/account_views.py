"""Connecting an account the desk posts from (started from the channel's page in admin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from access.requests import SignedInRequest
from channels.accounts.flows import FlowError, flow_begin, flow_channel_key, flow_complete
from channels.adapters import get_adapter
from channels.adapters.registry import PLATFORMS
from channels.models import Account

may_configure = permission_required("channels.change_channel", raise_exception=True)


def _channel_page(channel_id: int) -> str:
    return reverse("admin:channels_channel_change", args=[channel_id])


# A GET, like any "sign in with" link (it sits inside the channel's admin form, where another form
# cannot): it only remembers a flow in this admin's session and sends them to the platform.
@require_GET
@may_configure
def account_connect_start(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("channel"), pk=pk)
    try:
        return redirect(flow_begin(account=account, session=request.session))
    except FlowError as exc:
        messages.error(request, str(exc))
        return redirect(_channel_page(account.channel_id))


@require_GET
@may_configure
def account_connect_callback(request: SignedInRequest, kind: str) -> HttpResponse:
    if kind not in PLATFORMS:
        return HttpResponse(status=404)
    try:
        account = flow_complete(kind=kind, params=request.GET, session=request.session, user=request.user)
    except FlowError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("admin:channels_channel_changelist"))
    messages.success(request, f"{account.username} is connected: the desk can post replies from it.")
    return redirect(_channel_page(account.channel_id))


@require_http_methods(["GET", "POST"])
@may_configure
def account_connect_channel_key(request: SignedInRequest, pk: int) -> HttpResponse:
    """Post as this account with a key the channel holds (Discourse's admin API key, a GitLab access token),
    asked to confirm first; the platform's adapter says what the key is called and what happens."""
    account = get_object_or_404(Account.objects.select_related("channel"), pk=pk)
    adapter = get_adapter(account.channel.kind)
    words = adapter.channel_key_words
    if request.method == "POST":
        try:
            flow_channel_key(account=account, user=request.user)
        except FlowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{account.username} is connected with {words}.")
        return redirect(_channel_page(account.channel_id))
    context = {
        "title": f"Post as {account.username} with {words}",
        "account": account,
        "words": words,
        "explained": adapter.channel_key_help.format(username=account.username),
    }
    return TemplateResponse(request, "channels/account_channel_key.html", context)
