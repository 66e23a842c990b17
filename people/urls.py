from django.urls import path

from people.views import actions, codes, contrib, persons, privacy, recognition

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
    # Contributions, gifts and discount codes (people.views.contrib, people.views.codes).
    path("<int:pk>/contributions/", contrib.contribution_add, name="contribution-add"),
    path("<int:pk>/gifts/", contrib.gift_add, name="gift-add"),
    path("<int:pk>/gifts/<int:gift_pk>/state/", contrib.gift_state, name="gift-state"),
    path("<int:pk>/discount-code/", codes.person_code_give, name="code-give"),
    path("tickets/<int:pk>/discount-code/", codes.ticket_code_give, name="ticket-code-give"),
    path("gifts/", contrib.gifts, name="gifts"),
    # The contributor journey's level-ups, for managers (people.views.recognition).
    path("recognition/", recognition.recognitions, name="recognition"),
    path("recognition/<int:pk>/<slug:action>/", recognition.recognition_decide, name="recognition-decide"),
    path("contributors/", contrib.contributors_page, name="contributors"),
    path("contributors.csv", contrib.contributors_csv, name="contributors-csv"),
    path("<int:pk>/export/", privacy.export, name="export"),
    path("<int:pk>/erase/", privacy.erase, name="erase"),
]
