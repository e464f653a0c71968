"""Indexes for the staff queue and its searches at 100,000 forms (issue 18; bench/scale.py).

The queue's order and views, the appointment date and the date of birth: plain Django indexes
(IntakeSubmission.Meta.indexes), on SQLite and PostgreSQL alike. Names: on PostgreSQL only, a
trigram GIN index (pg_trgm) on UPPER(full_name::text), the very expression Django's `icontains`
compares on PostgreSQL, so a search by part of a name reads the index instead of every form.
SQLite has no GIN indexes: it searches names with a plain LIKE (small sites).

pg_trgm ships with PostgreSQL and is a trusted extension (PostgreSQL 13 and later): the
database's owner may create it without being a superuser. Going back drops the index and keeps
the extension, which something else may use.

Named 0017 as planned, after 0017_exports (committed first), so the graph stays one line.
"""

from django.db import migrations, models

NAME_INDEX = "intake_full_name_trgm"


def create_name_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("intake", "IntakeSubmission")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME_INDEX} ON {table} "
        'USING gin ((UPPER("full_name"::text)) gin_trgm_ops)'
    )


def drop_name_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME_INDEX}")


REVIEW_STATE_RANK = models.Case(
    models.When(status="sent", then=models.Value(0)),
    models.When(status="reviewed", then=models.Value(1)),
    default=models.Value(2),
    output_field=models.IntegerField(),
)
QUEUE_INDEX_KEYS = (
    models.F("urgency_tier"),
    REVIEW_STATE_RANK,
    models.F("appointment_date"),
    models.F("sent_at"),
    models.F("id"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0017_exports"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="intakesubmission",
            index=models.Index(
                models.F("status"), *QUEUE_INDEX_KEYS, name="intake_queue_by_status"
            ),
        ),
        migrations.AddIndex(
            model_name="intakesubmission",
            index=models.Index(
                *QUEUE_INDEX_KEYS,
                condition=~models.Q(status="draft"),
                name="intake_queue_sent",
            ),
        ),
        migrations.AddIndex(
            model_name="intakesubmission",
            index=models.Index(fields=["appointment_date"], name="intake_appointment_date"),
        ),
        migrations.AddIndex(
            model_name="intakesubmission",
            index=models.Index(
                fields=["status", "appointment_date"], name="intake_status_appointment"
            ),
        ),
        migrations.AddIndex(
            model_name="intakesubmission",
            index=models.Index(fields=["date_of_birth"], name="intake_date_of_birth"),
        ),
        migrations.RunPython(create_name_trigram_index, drop_name_trigram_index),
    ]
