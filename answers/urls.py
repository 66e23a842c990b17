from django.urls import path

from answers import knowledge_views

app_name = "answers"

urlpatterns = [
    path("tickets/<int:pk>/knowledge/", knowledge_views.knowledge, name="knowledge"),
]
