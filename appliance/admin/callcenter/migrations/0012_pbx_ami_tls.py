# The unit's pinned AMI certificate (issue 13, item 6: AMI over TLS).
# Depends on 0009 for now: 0010 is being added on another branch; the merge fixes the chain.

from django.db import migrations, models

import appliance.admin.callcenter.validators


class Migration(migrations.Migration):

    dependencies = [
        ('callcenter', '0011_revision_signature'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalpbxunit',
            name='ami_tls_certificate',
            field=models.TextField(blank=True, help_text="The unit's AMI certificate (PEM) that uzor-pbx-setup made: the admin and the agency then talk AMI over TLS and trust only this certificate (AMI port 5039). Empty: plain TCP, for a unit on this host (loopback) only.", validators=[appliance.admin.callcenter.validators.validate_ami_certificate], verbose_name='AMI certificate'),
        ),
        migrations.AddField(
            model_name='pbxunit',
            name='ami_tls_certificate',
            field=models.TextField(blank=True, help_text="The unit's AMI certificate (PEM) that uzor-pbx-setup made: the admin and the agency then talk AMI over TLS and trust only this certificate (AMI port 5039). Empty: plain TCP, for a unit on this host (loopback) only.", validators=[appliance.admin.callcenter.validators.validate_ami_certificate], verbose_name='AMI certificate'),
        ),
    ]
