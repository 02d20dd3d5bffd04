"""Model versions, the data step: each model row becomes a version (see 0002_model_versions for
the whole story). A migration of its own, so that on PostgreSQL the rows it moves are committed
before the next migration alters these tables ("pending trigger events" otherwise)."""

from collections import defaultdict

from django.db import migrations


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
        ('aisystems', '0002_model_versions'),
        ('impact', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(versions_from_model_rows, model_rows_from_versions),
    ]
