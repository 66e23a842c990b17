"""The "Noise" view (issue 68): the mentions judged noise, the sure ones (held back, after everything else in Play)
reviewed there in bulk; the demo's definition (intake's seed_demo), made unless a view of that name exists."""

from django.db import migrations

NAME = "Noise"
SLUG = "noise"


def view_create(apps, schema_editor):
    View = apps.get_model("mentions", "View")
    if View.objects.filter(name=NAME).exists():
        return
    slug, n = SLUG, 1
    while View.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{SLUG}-{n}"
    # After "Needs a response" (3); oldest first, the sure noise after the rest (mentions.models.play_order).
    View.objects.create(name=NAME, slug=slug, position=4, judgements=["noise"], order="oldest")


class Migration(migrations.Migration):
    dependencies = [
        ("mentions", "0055_play_serves_sure_noise_last"),
    ]

    operations = [migrations.RunPython(view_create, migrations.RunPython.noop)]
