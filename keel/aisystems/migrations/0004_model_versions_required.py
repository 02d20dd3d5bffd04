"""Model versions, second step: the old per-row version fields go and a version is required on
every evaluation (a migration of its own, so that on PostgreSQL the data moved by
0003_model_versions_data is committed before these tables are altered)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('aisystems', '0003_model_versions_data'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='evaluation',
            name='model',
        ),
        migrations.RemoveConstraint(
            model_name='aimodel',
            name='aimodel_version_unique',
        ),
        migrations.RemoveField(
            model_name='aimodel',
            name='training_date',
        ),
        # a default first, so that going back can add the column to existing rows again
        migrations.AlterField(
            model_name='aimodel',
            name='version',
            field=models.CharField(blank=True, default='', max_length=60),
        ),
        migrations.RemoveField(
            model_name='aimodel',
            name='version',
        ),
        migrations.AlterField(
            model_name='evaluation',
            name='model_version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evaluations', to='aisystems.modelversion'),
        ),
        migrations.AlterModelOptions(
            name='aimodel',
            options={'ordering': ['name'], 'verbose_name': 'AI model'},
        ),
        migrations.AddConstraint(
            model_name='aimodel',
            constraint=models.UniqueConstraint(fields=('ai_system', 'name'), name='aimodel_name_unique'),
        ),
        migrations.AddIndex(
            model_name='evaluation',
            index=models.Index(fields=['model_version', '-performed_at'], name='aisystems_e_model_v_12feae_idx'),
        ),
        migrations.AddConstraint(
            model_name='modelversion',
            constraint=models.UniqueConstraint(fields=('model', 'label'), name='modelversion_label_unique'),
        ),
        migrations.AddConstraint(
            model_name='modelversion',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['development', 'deployed', 'retired'])), name='modelversion_status_valid'),
        ),
    ]
