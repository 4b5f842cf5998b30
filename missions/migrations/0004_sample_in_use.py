"""The sample the estimates use is chosen, not the latest drawn: ``Sample.in_use``, one per
mission. Until now the estimates read each mission's latest sample: that one is in use."""

from django.db import migrations, models
from django.db.models import Q


def latest_in_use(apps, schema_editor):
    Sample = apps.get_model("missions", "Sample")
    latest = {}
    for pk, mission_id in Sample.objects.order_by("created_at", "id").values_list(
        "pk", "mission_id"
    ):
        latest[mission_id] = pk
    Sample.objects.filter(pk__in=latest.values()).update(in_use=True)


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0003_mission_report_due_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="sample",
            name="in_use",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(latest_in_use, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="sample",
            constraint=models.UniqueConstraint(
                condition=Q(in_use=True),
                fields=("mission",),
                name="sample_one_in_use_per_mission",
            ),
        ),
    ]
