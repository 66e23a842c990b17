"""The desk's page where people make and revoke their personal access tokens."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from access.requests import SignedInRequest
from api.models import ApiToken
from api.tokens import MAX_DAYS, token_create, token_revoke, tokens_live, two_factor_missing


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What will use it, e.g. “BI warehouse sync”.")
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    days = forms.IntegerField(min_value=1, max_value=MAX_DAYS, initial=90, label="Expires after (days)")


@require_http_methods(["GET", "POST"])
def tokens(request: SignedInRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = token_create(user=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            made = (token, secret)
            form = TokenForm()
    context = {
        "form": form,
        "made": made,
        "tokens": ApiToken.objects.filter(user=request.user),
        # Said beside the form, before anyone fills it in for nothing.
        "two_factor_missing": two_factor_missing(request.user),
        "live": tokens_live(user=request.user),
        "cap": settings.DESK_API_TOKENS_PER_USER,
    }
    response = render(request, "api/tokens.html", context)
    response["Cache-Control"] = "no-store"  # the page may carry a secret shown once
    return response


@require_POST
def token_revoke_view(request: SignedInRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(token=token, user=request.user)
    messages.success(request, f"“{token.name}” is revoked: it is refused from now on.")
    return redirect("api-tokens")
