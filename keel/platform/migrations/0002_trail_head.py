from django.db import migrations

GENESIS = "0" * 64


def create_head(apps, schema_editor):
    TrailHead = apps.get_model("platform", "TrailHead")
    TrailHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})


def remove_head(apps, schema_editor):
    apps.get_model("platform", "TrailHead").objects.filter(pk=1, seq=0).delete()


class Migration(migrations.Migration):
    """The chain head row exists before the first writer arrives, so two first writers
    cannot both try to create it."""

    dependencies = [("platform", "0001_initial")]
    operations = [migrations.RunPython(create_head, remove_head)]
