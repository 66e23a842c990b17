from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from stories.models import Story


@login_required
def story_list(request: HttpRequest) -> HttpResponse:
    stories = Story.objects.filter(merged_into__isnull=True).order_by("-last_at")[:100]
    return render(request, "stories/list.html", {"stories": stories})


@login_required
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story, pk=pk)
    return render(request, "stories/detail.html", {"story": story})
