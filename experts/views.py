"""The experts directory: who to ask about what, and how they have been answering."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from channels import clean
from experts import selectors

work_queue = permission_required("mentions.work_queue", raise_exception=True)


@require_GET
@work_queue
def directory(request: HttpRequest) -> HttpResponse:
    q = clean.line(request.GET.get("q"), max_length=100)  # no NUL (a 500 from PostgreSQL), one line
    return render(
        request,
        "experts/directory.html",
        {"groups": selectors.experts_directory(q=q), "q": q, "days": selectors.DIRECTORY_DAYS},
    )
