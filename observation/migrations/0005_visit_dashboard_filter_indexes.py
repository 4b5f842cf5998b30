# The dashboard's organisation and time-window filters count the visits they keep from two
# covering indexes. They start with the mission and the observer, so the plain foreign key
# indexes on those columns go: as many indexes to keep up on every write as before.

import django.db.models.deletion
from django.db import migrations, models

# Django's names for the foreign key indexes (the same on every database: a hash of the table
# and column names).
FOREIGN_KEY_INDEXES = {
    "observation_visit_mission_id_ceda267b": "mission_id",
    "observation_visit_observer_id_792f7f94": "observer_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0002_import_jobs_and_samples"),
        ("observation", "0004_visit_unaggregated_id"),
    ]

    operations = [
        # Only the index goes: altering the field itself would make Django drop and re-add
        # the foreign key constraint, which checks every visit while it locks the table.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="visit",
                    name="mission",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="visits",
                        to="missions.mission",
                    ),
                ),
                migrations.AlterField(
                    model_name="visit",
                    name="observer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="missions.observer",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" '
                    f'ON "observation_visit" ("{column}")',
                )
                for name, column in FOREIGN_KEY_INDEXES.items()
            ],
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["mission", "arrived_at"],
                include=(
                    "id",
                    "station",
                    "status",
                    "stage",
                    "assessment",
                    "voters_so_far",
                    "observer",
                ),
                name="visit_mission_arrived",
            ),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["observer", "arrived_at"],
                include=(
                    "id",
                    "station",
                    "status",
                    "stage",
                    "assessment",
                    "voters_so_far",
                    "mission",
                ),
                name="visit_observer_arrived",
            ),
        ),
    ]
