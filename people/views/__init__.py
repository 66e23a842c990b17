"""The people pages (thin views over people.services and people.selectors)."""

from django.contrib.auth.decorators import permission_required

# Advocates read, tag and note; managers also merge, split, erase and see gifts and codes.
read_people = permission_required("mentions.work_queue", raise_exception=True)
manage_people = permission_required("people.manage_people", raise_exception=True)
