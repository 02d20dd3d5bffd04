"""The SoA row's AI systems become a relation to the AI system inventory (issue 12 item 1): the
free-text names are matched (name or short name, ignoring case) to the AI systems of the SoA's
management system. Keel is 0.1.0 with no installation to upgrade; a name that matches no AI
system of that system is dropped (the free text allowed names nobody could check). Reversible:
going back writes the linked systems' names."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models import Q


def names_to_systems(apps: Any, schema_editor: Any) -> None:
    SoARow = apps.get_model("soa", "SoARow")
    AISystem = apps.get_model("aisystems", "AISystem")
    for row in SoARow.objects.exclude(ai_system_names=[]).select_related("soa"):
        found = []
        for name in row.ai_system_names or []:
            system = (
                AISystem.objects.filter(management_system_id=row.soa.management_system_id)
                .filter(Q(name__iexact=name.strip()) | Q(short_name__iexact=name.strip()))
                .first()
            )
            if system is not None:
                found.append(system)
        row.ai_systems.set(found)


def systems_to_names(apps: Any, schema_editor: Any) -> None:
    SoARow = apps.get_model("soa", "SoARow")
    for row in SoARow.objects.prefetch_related("ai_systems"):
        names = sorted(s.name for s in row.ai_systems.all())
        if names:
            row.ai_system_names = names
            row.save(update_fields=["ai_system_names"])


class Migration(migrations.Migration):
    dependencies = [
        ("aisystems", "0001_initial"),
        ("soa", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("soarow", "ai_systems", "ai_system_names"),
        migrations.AddField(
            model_name="soarow",
            name="ai_systems",
            field=models.ManyToManyField(
                blank=True,
                help_text="The AI systems of the SoA's management system this row applies to (42001).",
                related_name="soa_rows",
                to="aisystems.aisystem",
            ),
        ),
        migrations.RunPython(names_to_systems, systems_to_names),
        migrations.RemoveField("soarow", "ai_system_names"),
    ]
