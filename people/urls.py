from django.urls import path

from people.views import persons, privacy

app_name = "people"

urlpatterns = [
    path("<int:pk>/", persons.person, name="person"),
    path("<int:pk>/export/", privacy.export, name="export"),
    path("<int:pk>/erase/", privacy.erase, name="erase"),
]
