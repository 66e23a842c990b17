from django.urls import path

from people.views import codes, contrib, persons

app_name = "people"

urlpatterns = [
    path("<int:pk>/", persons.person, name="person"),
    # Contributions, gifts and discount codes (people.views.contrib, people.views.codes).
    path("<int:pk>/contributions/", contrib.contribution_add, name="contribution-add"),
    path("<int:pk>/gifts/", contrib.gift_add, name="gift-add"),
    path("<int:pk>/gifts/<int:gift_pk>/state/", contrib.gift_state, name="gift-state"),
    path("<int:pk>/discount-code/", codes.person_code_give, name="code-give"),
    path("tickets/<int:pk>/discount-code/", codes.ticket_code_give, name="ticket-code-give"),
    path("gifts/", contrib.gifts, name="gifts"),
    path("contributors/", contrib.contributors_page, name="contributors"),
    path("contributors.csv", contrib.contributors_csv, name="contributors-csv"),
]
