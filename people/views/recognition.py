"""The managers' recognition page: people who moved up a level, with one-click "Send <gift>", "Give a code" and
"Dismiss" (people.journey.recognition). With htmx a decision answers in place with the row's result; without
JavaScript the browser comes back to the page, which says it at the top."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from people.journey.recognition import recognition_code, recognition_dismiss, recognition_gift, recognitions_open
from people.models import Recognition
from people.views import manage_people
from people.views.kept import back_to

ACTIONS = {"gift": recognition_gift, "code": recognition_code, "dismiss": recognition_dismiss}


@require_GET
@manage_people
def recognitions(request: HttpRequest) -> HttpResponse:
    return render(request, "people/recognition.html", {"recognitions": list(recognitions_open())})


@require_POST
@manage_people
def recognition_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    act = ACTIONS.get(action)
    if act is None:
        raise Http404("No such action.")
    said, error = "", ""
    try:
        _recognition, said = act(pk=pk, user=request.user)
    except Recognition.DoesNotExist as exc:
        raise Http404("No such recognition.") from exc
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if getattr(request, "htmx", False):
        return render(
            request,
            "people/_recognition_result.html",
            {"pk": pk, "said": said, "error": error},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, f"Not done: {error}")
    else:
        messages.success(request, said)
    return back_to(reverse("people:recognition"), "recognition")
