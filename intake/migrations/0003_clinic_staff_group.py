"""Data: the "Clinic staff" group, and the work-queue flags of submissions saved before them.

The group holds only what reviewing needs (least privilege, see intake/staff_group.py): view
submissions and their rows, change a submission (the admin limits that to status and staff
note), nothing else.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen: the group as it was created here (later permissions are added by later migrations).
CLINIC_STAFF_GROUP = "Clinic staff"
CLINIC_STAFF_PERMISSIONS = (
    ("intake", "view_intakesubmission"),
    ("intake", "change_intakesubmission"),
    ("intake", "view_medicine"),
    ("intake", "view_injury"),
    ("intake", "view_testdone"),
)


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    intake_config = apps.get_app_config("intake")
    intake_config.models_module = True
    create_permissions(intake_config, apps=apps, verbosity=0)
    intake_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=CLINIC_STAFF_GROUP)
    group.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in CLINIC_STAFF_PERMISSIONS
        ]
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=CLINIC_STAFF_GROUP).delete()


def compute_flags(apps, schema_editor):
    """Fill has_urgent_signs and sarc_f_total for submissions saved before the fields existed."""
    from intake.staff_review import refresh_review_flags

    IntakeSubmission = apps.get_model("intake", "IntakeSubmission")
    for submission in IntakeSubmission.objects.iterator(chunk_size=500):
        # Historical models lack the model's properties; give the rule what it reads.
        submission.sarc_f_answers = {
            "strength": submission.sarc_f_strength,
            "walking": submission.sarc_f_walking,
            "chair": submission.sarc_f_chair,
            "stairs": submission.sarc_f_stairs,
            "falls": submission.sarc_f_falls,
        }
        refresh_review_flags(submission)
        submission.save(update_fields=["has_urgent_signs", "sarc_f_total"])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_staff_review"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_group, remove_group),
        migrations.RunPython(compute_flags, migrations.RunPython.noop),
    ]
