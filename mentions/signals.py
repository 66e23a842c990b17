"""Keep View.channel_ids/tag_ids equal to the view's channels/tags selections; remember the
name presence shows in the session at sign-in."""

from typing import Any


def view_filters_sync(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from mentions.models import View

    if not reverse:
        views = View.objects.filter(pk=instance.pk)
    elif pk_set:
        views = View.objects.filter(pk__in=pk_set)
    else:
        views = View.objects.all()  # a reverse clear does not say which views it touched; views are few
    for view in views:
        view.channel_ids = sorted(view.channels.values_list("pk", flat=True))
        view.tag_ids = sorted(view.tags.values_list("pk", flat=True))
        View.objects.filter(pk=view.pk).update(channel_ids=view.channel_ids, tag_ids=view.tag_ids)
        if not reverse:
            instance.channel_ids, instance.tag_ids = view.channel_ids, view.tag_ids


def presence_name_remember(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The name an open ticket's live refresh shows others (mentions.services.presence), kept
    in the session so the refresh never loads the user row."""
    from mentions.services.presence import SESSION_NAME

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_NAME] = user.get_username()
