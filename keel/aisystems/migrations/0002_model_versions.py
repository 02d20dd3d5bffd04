"""Models get versions (issue 12 item 6): an AIModel row was one version of a model (name +
version); now a model has many ModelVersion rows, and evaluations belong to a version.

Forward: the rows of one system that share a model name become one model with a version per
row (label, training date), each evaluation moves to the version of its model row, and an
evaluation of the system as a whole moves to the system's newest version (a model
"<system>-model" with the version "unrecorded" is made for a system that had none). Impact
assessments that named a merged row name the kept model. Backward: each version becomes a model
row again and its evaluations point at it; ``trained_on`` / ``evaluated_on`` are dropped.
"""

from collections import defaultdict

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


def versions_from_model_rows(apps, schema_editor):
    AIModel = apps.get_model("aisystems", "AIModel")
    ModelVersion = apps.get_model("aisystems", "ModelVersion")
    Evaluation = apps.get_model("aisystems", "Evaluation")
    AISystem = apps.get_model("aisystems", "AISystem")
    ImpactAssessment = apps.get_model("impact", "ImpactAssessment")
    links = ImpactAssessment.ai_models.through
    groups = defaultdict(list)
    for row in AIModel.objects.order_by("created_at", "pk"):
        groups[(row.ai_system_id, row.name)].append(row)
    version_of_row = {}
    for rows in groups.values():
        keeper = rows[0]
        for row in rows:
            version = ModelVersion.objects.create(
                model=keeper, label=row.version or "1", training_date=row.training_date, notes=""
            )
            ModelVersion.objects.filter(pk=version.pk).update(created_at=row.created_at)
            version_of_row[row.pk] = version
    for e in Evaluation.objects.filter(model__isnull=False):
        e.model_version = version_of_row[e.model_id]
        e.save(update_fields=["model_version"])
    for system_id in Evaluation.objects.filter(model__isnull=True).values_list("ai_system_id", flat=True).distinct():
        newest = ModelVersion.objects.filter(model__ai_system_id=system_id).order_by("-created_at").first()
        if newest is None:
            system = AISystem.objects.get(pk=system_id)
            model = AIModel.objects.create(
                ai_system_id=system_id, name=f"{system.short_name}-model", version="", model_type="other",
                description="Made when model versions were introduced, for evaluations of the system as a whole.",
            )
            newest = ModelVersion.objects.create(model=model, label="unrecorded")
        Evaluation.objects.filter(ai_system_id=system_id, model__isnull=True).update(model_version=newest)
    Evaluation.objects.update(model=None)
    for rows in groups.values():
        keeper = rows[0]
        for row in rows[1:]:
            for link in links.objects.filter(aimodel_id=row.pk):
                links.objects.get_or_create(impactassessment_id=link.impactassessment_id, aimodel_id=keeper.pk)
            row.delete()


def model_rows_from_versions(apps, schema_editor):
    AIModel = apps.get_model("aisystems", "AIModel")
    ModelVersion = apps.get_model("aisystems", "ModelVersion")
    Evaluation = apps.get_model("aisystems", "Evaluation")
    for model in AIModel.objects.all():
        versions = list(ModelVersion.objects.filter(model=model).order_by("created_at", "pk"))
        for i, version in enumerate(versions):
            if i == 0:
                row = model
                row.version, row.training_date = version.label, version.training_date
                row.save(update_fields=["version", "training_date"])
            else:
                row = AIModel.objects.create(
                    ai_system_id=model.ai_system_id, name=model.name, version=version.label,
                    model_type=model.model_type, base_model=model.base_model,
                    base_model_supplier=model.base_model_supplier, training_date=version.training_date,
                    description=model.description,
                )
            Evaluation.objects.filter(model_version=version).update(model=row)

class Migration(migrations.Migration):

    dependencies = [
        ('aisystems', '0001_initial'),
        ('impact', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ModelVersion',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('label', models.CharField(help_text='The version label, e.g. 3.2 or 2026.03.', max_length=60)),
                ('status', models.CharField(choices=[('development', 'In development'), ('deployed', 'Deployed'), ('retired', 'Retired')], default='development', max_length=12)),
                ('training_date', models.DateField(blank=True, null=True)),
                ('notes', models.TextField(blank=True, help_text='What changed in this version, and why.')),
                ('deployed_at', models.DateTimeField(blank=True, help_text='When it last passed the gate.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'model version',
                'ordering': ['model__name', '-created_at'],
            },
        ),
        migrations.AddField(
            model_name='modelversion',
            name='model',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='aisystems.aimodel'),
        ),
        migrations.AddField(
            model_name='modelversion',
            name='trained_on',
            field=models.ManyToManyField(blank=True, help_text='Datasets it was trained on.', related_name='trained_model_versions', to='aisystems.dataset'),
        ),
        migrations.AddField(
            model_name='modelversion',
            name='evaluated_on',
            field=models.ManyToManyField(blank=True, help_text='Datasets it was evaluated on.', related_name='evaluated_model_versions', to='aisystems.dataset'),
        ),
        migrations.AddField(
            model_name='evaluation',
            name='model_version',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evaluations', to='aisystems.modelversion'),
        ),
        migrations.RunPython(versions_from_model_rows, model_rows_from_versions),
    ]
