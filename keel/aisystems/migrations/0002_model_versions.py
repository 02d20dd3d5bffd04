"""Models get versions (issue 12 item 6): an AIModel row was one version of a model (name +
version); now a model has many ModelVersion rows, and evaluations belong to a version.

Forward: the rows of one system that share a model name become one model with a version per
row (label, training date), each evaluation moves to the version of its model row, and an
evaluation of the system as a whole moves to the system's newest version (a model
"<system>-model" with the version "unrecorded" is made for a system that had none). Impact
assessments that named a merged row name the kept model. Backward: each version becomes a model
row again and its evaluations point at it; ``trained_on`` / ``evaluated_on`` are dropped.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('aisystems', '0001_initial'),
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
    ]
