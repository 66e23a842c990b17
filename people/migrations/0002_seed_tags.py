from django.db import migrations

SEEDED = ["core contributor", "customer", "press", "competitor staff", "spam"]


def tags_seed(apps, schema_editor):
    PersonTag = apps.get_model("people", "PersonTag")
    for name in SEEDED:
        PersonTag.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(tags_seed, migrations.RunPython.noop)]
