from django.urls import path

from answers import views
from answers.knowledge import views as knowledge_views

app_name = "answers"

urlpatterns = [
    path("tickets/<int:pk>/before/", views.answered_before, name="suggestions"),
    path("tickets/<int:pk>/use/<int:source>/", views.answer_used, name="use"),
    path("tickets/<int:pk>/dismiss/<int:source>/", views.answer_dismissed, name="dismiss"),
    path("tickets/<int:pk>/saved/<int:reply_pk>/", views.saved_reply_inserted, name="saved-insert"),
    path("tickets/<int:pk>/knowledge/", knowledge_views.knowledge, name="knowledge"),
]
