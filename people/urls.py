from django.urls import path

from people.views import actions, persons

app_name = "people"

urlpatterns = [
    path("", persons.people, name="list"),
    path("<int:pk>/", persons.person, name="person"),
    path("<int:pk>/edit/", actions.person_edit, name="edit"),
    path("<int:pk>/tags/", actions.person_tag_add, name="tag-add"),
    path("<int:pk>/tags/<int:tag_id>/remove/", actions.person_tag_remove, name="tag-remove"),
    path("<int:pk>/likeness/<int:other_id>/confirm/", actions.likeness_confirm, name="likeness-confirm"),
    path("<int:pk>/likeness/<int:other_id>/dismiss/", actions.likeness_dismiss, name="likeness-dismiss"),
    path("<int:pk>/merge/", actions.person_merge, name="merge"),
    path("<int:pk>/split/", actions.person_split, name="split"),
]
