# Dataset lineage named by direction (issue 9, defect 2). The edges stay in
# aisystems_datasetderivation (source, derived); only the model's view of them changes, so the
# database is untouched: ``sources`` reads the edge from ``derived`` to ``source``.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aisystems", "0003_dataset_classification"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="dataset", name="derived_from"),
                migrations.AddField(
                    model_name="dataset",
                    name="sources",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="The datasets this one was derived from.",
                        related_name="derivatives",
                        through="aisystems.DatasetDerivation",
                        through_fields=("derived", "source"),
                        to="aisystems.dataset",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
