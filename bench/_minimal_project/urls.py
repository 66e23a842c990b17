"""One signed-in page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def page(request: HttpRequest) -> HttpResponse:
    return render(request, "minimal.html", {"items": ["queue", "tickets", "people", "stories"]})


urlpatterns = [path("minimal/", page)]
