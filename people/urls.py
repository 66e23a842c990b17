from django.urls import path

from people.views import persons

app_name = "people"

urlpatterns = [
    path("<int:pk>/", persons.person, name="person"),
]
