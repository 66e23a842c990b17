from django.urls import path

from stories.views import actions, issues, pages

app_name = "stories"

urlpatterns = [
    path("", pages.story_list, name="list"),
    path("<int:pk>/", pages.story_detail, name="detail"),
    path("<int:pk>/outcomes/", pages.story_outcomes, name="outcomes"),
    path("<int:pk>/rename/", actions.story_rename, name="rename"),
    path("<int:pk>/state/", actions.story_state, name="state"),
    path("<int:pk>/move-in/", actions.story_move_in, name="move-in"),
    path("<int:pk>/tickets/<int:ticket_pk>/move-out/", actions.story_move_out, name="move-out"),
    path("<int:pk>/merge/", actions.story_merge, name="merge"),
    path("<int:pk>/answer/", actions.story_answer, name="answer"),
    path("<int:pk>/send/", actions.story_send, name="send"),
    path("<int:pk>/tickets/<int:ticket_pk>/mark/", actions.story_mark, name="mark"),
    path("<int:pk>/tickets/<int:ticket_pk>/insert/", actions.story_insert, name="insert"),
    path("<int:pk>/issues/", issues.story_issue, name="story-issue"),
    path("tickets/<int:pk>/issues/", issues.ticket_issue, name="ticket-issue"),
    path("issues/<int:pk>/", issues.issue_detail, name="issue"),
    path("issues/<int:pk>/send/", issues.issue_send, name="issue-send"),
]
