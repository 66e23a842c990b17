from django.urls import path

from answers import views

app_name = "answers"

urlpatterns = [
    path("tickets/<int:pk>/use/", views.answer_used, name="use"),
    path("tickets/<int:pk>/saved/<int:reply_pk>/", views.saved_reply_inserted, name="saved-insert"),
]
