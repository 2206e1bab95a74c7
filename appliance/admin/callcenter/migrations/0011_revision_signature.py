# Issue 13, item 5: every revision bundle is signed by the admin.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('callcenter', '0010_pause_reasons_dispositions'),
    ]

    operations = [
        migrations.AddField(
            model_name='revision',
            name='signature',
            field=models.CharField(blank=True, max_length=100, verbose_name='signature'),
        ),
    ]
