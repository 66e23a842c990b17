"""A fresh install has the "Needs a response" view (issue 56): until now only the demo seeded it
(intake/management/commands/seed_demo.py), so a desk installed without the demo had no view that serves what the
desk judges needs a response (and the unsure, stored so) before the rest. Same definition as the demo's; nothing is
made when a view of that name exists (an admin's own, or the demo's), and another slug is taken if the demo's is."""

from django.db import migrations

NAME = "Needs a response"
SLUG = "needs-response"


def view_create(apps, schema_editor):
    View = apps.get_model("mentions", "View")
    if View.objects.filter(name=NAME).exists():
        return
    slug, n = SLUG, 1
    while View.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{SLUG}-{n}"
    # What needs a response, and what is not judged yet ("": nothing waits hidden until the worker judges it);
    # deadline first, then needs-a-response before not-judged (docs/judgement.md, "Views").
    View.objects.create(name=NAME, slug=slug, position=3, judgements=["needs_response", ""], order="deadline")


class Migration(migrations.Migration):
    dependencies = [
        ("mentions", "0051_judgement_learned"),
    ]

    operations = [migrations.RunPython(view_create, migrations.RunPython.noop)]
