"""Who may work the queue: every page of the desk but the KPIs and admin asks for it."""

from django.contrib.auth.decorators import permission_required

work_queue = permission_required("mentions.work_queue", raise_exception=True)
