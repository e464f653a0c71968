"""The audit log of staff opening summaries becomes the log of every staff look at personal data.

SummaryView -> StaffAccess: the old rows are summaries opened (action "summary"), one form each.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0010_language_choices_from_settings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("SummaryView", "StaffAccess"),
        migrations.RenameField("staffaccess", "reference", "references"),
        migrations.RenameField("staffaccess", "viewed_by", "user"),
        migrations.RenameField("staffaccess", "viewed_at", "at"),
        migrations.AlterModelOptions(
            name="staffaccess",
            options={
                "ordering": ["-at"],
                "verbose_name": "staff access",
                "verbose_name_plural": "staff access log",
            },
        ),
        migrations.AlterField(
            model_name="staffaccess",
            name="references",
            field=models.TextField(
                blank=True,
                help_text="Every form seen, by reference code.",
                verbose_name="reference codes",
            ),
        ),
        migrations.AlterField(
            model_name="staffaccess",
            name="submission",
            field=models.ForeignKey(
                blank=True,
                help_text="The form, when one form was seen.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="staff_accesses",
                to="intake.intakesubmission",
                verbose_name="submission",
            ),
        ),
        migrations.AlterField(
            model_name="staffaccess",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="staff member",
            ),
        ),
        migrations.AlterField(
            model_name="staffaccess",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="when"
            ),
        ),
        migrations.AlterField(
            model_name="staffaccess",
            name="username",
            field=models.CharField(db_index=True, max_length=150, verbose_name="username"),
        ),
        migrations.AddField(
            model_name="staffaccess",
            name="action",
            field=models.CharField(
                choices=[
                    ("queue", "listed forms in the queue"),
                    ("form", "opened a form"),
                    ("summary", "opened a summary"),
                    ("summary_pdf", "downloaded a summary PDF"),
                    ("patient_copy", "printed the patient's copy"),
                    ("export_csv", "exported forms to CSV"),
                    ("export_fhir", "exported forms as FHIR"),
                    ("examination", "listed or opened examination findings"),
                ],
                db_index=True,
                default="summary",
                max_length=20,
                verbose_name="what",
            ),
        ),
        migrations.AddField(
            model_name="staffaccess",
            name="form_count",
            field=models.PositiveIntegerField(default=1, verbose_name="forms"),
        ),
        migrations.AddField(
            model_name="staffaccess",
            name="search",
            field=models.CharField(
                blank=True,
                help_text="What the queue was searched for and filtered by.",
                max_length=500,
                verbose_name="search and filters",
            ),
        ),
    ]
