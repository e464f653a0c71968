"""The examiner's findings (Examination), and the "Clinicians" group that records them.

Clinic staff may now view examinations; clinicians have what clinic staff have and may add and
change them (intake/staff_group.py). The permission lists are frozen here, as they were when
this migration was written.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

CLINIC_STAFF_GROUP = "Clinic staff"
CLINICIAN_GROUP = "Clinicians"
CLINIC_STAFF_PERMISSIONS = (
    ("intake", "view_intakesubmission"),
    ("intake", "change_intakesubmission"),
    ("intake", "view_medicine"),
    ("intake", "view_injury"),
    ("intake", "view_testdone"),
    ("intake", "view_examination"),
)
CLINICIAN_PERMISSIONS = (
    *CLINIC_STAFF_PERMISSIONS,
    ("intake", "add_examination"),
    ("intake", "change_examination"),
)


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in names
    ]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure the new ones exist now.
    intake_config = apps.get_app_config("intake")
    intake_config.models_module = True
    create_permissions(intake_config, apps=apps, verbosity=0)
    intake_config.models_module = None

    Group = apps.get_model("auth", "Group")
    clinic_staff, _created = Group.objects.get_or_create(name=CLINIC_STAFF_GROUP)
    clinic_staff.permissions.add(*_permissions(apps, [("intake", "view_examination")]))
    clinicians, _created = Group.objects.get_or_create(name=CLINICIAN_GROUP)
    clinicians.permissions.set(_permissions(apps, CLINICIAN_PERMISSIONS))


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=CLINICIAN_GROUP).delete()
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=CLINIC_STAFF_GROUP):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="intake", codename="view_examination"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0011_staff_access_log"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Examination",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "examined_on",
                    models.DateField(
                        default=django.utils.timezone.localdate, verbose_name="examined on"
                    ),
                ),
                (
                    "examiner_name",
                    models.CharField(
                        blank=True, editable=False, max_length=150, verbose_name="examiner"
                    ),
                ),
                (
                    "reference_sex",
                    models.CharField(
                        choices=[
                            ("female", "Female"),
                            ("male", "Male"),
                            ("not_recorded", "Not recorded"),
                        ],
                        default="not_recorded",
                        help_text="The EWGSOP2 cut-off for grip strength differs for men and women; without this it is not applied.",
                        max_length=12,
                        verbose_name="sex for reference values",
                    ),
                ),
                (
                    "grip_left_kg",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                0, message="Enter a grip strength between 0 and 100 kg."
                            ),
                            django.core.validators.MaxValueValidator(
                                100, message="Enter a grip strength between 0 and 100 kg."
                            ),
                        ],
                        verbose_name="grip strength, left (kg)",
                    ),
                ),
                (
                    "grip_right_kg",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                0, message="Enter a grip strength between 0 and 100 kg."
                            ),
                            django.core.validators.MaxValueValidator(
                                100, message="Enter a grip strength between 0 and 100 kg."
                            ),
                        ],
                        verbose_name="grip strength, right (kg)",
                    ),
                ),
                (
                    "dynamometer",
                    models.CharField(
                        blank=True,
                        help_text="The make and kind, for example Jamar hydraulic.",
                        max_length=100,
                        verbose_name="dynamometer",
                    ),
                ),
                (
                    "chair_stand_30s_count",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                0, message="Enter a number of chair stands between 0 and 60."
                            ),
                            django.core.validators.MaxValueValidator(
                                60, message="Enter a number of chair stands between 0 and 60."
                            ),
                        ],
                        verbose_name="chair stands in 30 seconds",
                    ),
                ),
                (
                    "five_sit_to_stand_seconds",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="Five rises from a chair without using the arms, timed.",
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                0,
                                message="Enter a time for five sit-to-stands between 0 and 120 seconds.",
                            ),
                            django.core.validators.MaxValueValidator(
                                120,
                                message="Enter a time for five sit-to-stands between 0 and 120 seconds.",
                            ),
                        ],
                        verbose_name="five sit-to-stands (seconds)",
                    ),
                ),
                (
                    "walk_4m_seconds",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="At the patient's usual pace. The gait speed is worked out from it.",
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                1, message="Enter a 4-metre walk time between 1 and 120 seconds."
                            ),
                            django.core.validators.MaxValueValidator(
                                120, message="Enter a 4-metre walk time between 1 and 120 seconds."
                            ),
                        ],
                        verbose_name="4-metre walk (seconds)",
                    ),
                ),
                (
                    "calf_circumference_cm",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                15, message="Enter a calf circumference between 15 and 70 cm."
                            ),
                            django.core.validators.MaxValueValidator(
                                70, message="Enter a calf circumference between 15 and 70 cm."
                            ),
                        ],
                        verbose_name="calf circumference (cm)",
                    ),
                ),
                (
                    "weight_kg",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                20, message="Enter a weight between 20 and 300 kg."
                            ),
                            django.core.validators.MaxValueValidator(
                                300, message="Enter a weight between 20 and 300 kg."
                            ),
                        ],
                        verbose_name="weight (kg)",
                    ),
                ),
                (
                    "height_cm",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                100, message="Enter a height between 100 and 230 cm."
                            ),
                            django.core.validators.MaxValueValidator(
                                230, message="Enter a height between 100 and 230 cm."
                            ),
                        ],
                        verbose_name="height (cm)",
                    ),
                ),
                ("notes", models.TextField(blank=True, max_length=4000, verbose_name="notes")),
                (
                    "mrc_shoulder_abduction_left",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Shoulder abduction, left",
                    ),
                ),
                (
                    "mrc_shoulder_abduction_right",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Shoulder abduction, right",
                    ),
                ),
                (
                    "mrc_elbow_flexion_left",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Elbow flexion, left",
                    ),
                ),
                (
                    "mrc_elbow_flexion_right",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Elbow flexion, right",
                    ),
                ),
                (
                    "mrc_elbow_extension_left",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Elbow extension, left",
                    ),
                ),
                (
                    "mrc_elbow_extension_right",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Elbow extension, right",
                    ),
                ),
                (
                    "mrc_wrist_extension_left",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Wrist extension, left",
                    ),
                ),
                (
                    "mrc_wrist_extension_right",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Wrist extension, right",
                    ),
                ),
                (
                    "mrc_finger_abduction_left",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Finger abduction, left",
                    ),
                ),
                (
                    "mrc_finger_abduction_right",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Finger abduction, right",
                    ),
                ),
                (
                    "mrc_hip_flexion_left",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Hip flexion, left",
                    ),
                ),
                (
                    "mrc_hip_flexion_right",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Hip flexion, right",
                    ),
                ),
                (
                    "mrc_knee_extension_left",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Knee extension, left",
                    ),
                ),
                (
                    "mrc_knee_extension_right",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Knee extension, right",
                    ),
                ),
                (
                    "mrc_ankle_dorsiflexion_left",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Ankle dorsiflexion, left",
                    ),
                ),
                (
                    "mrc_ankle_dorsiflexion_right",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("0", "0"),
                            ("1", "1"),
                            ("2", "2"),
                            ("3", "3"),
                            ("4-", "4-"),
                            ("4", "4"),
                            ("4+", "4+"),
                            ("5", "5"),
                        ],
                        max_length=2,
                        verbose_name="Ankle dorsiflexion, right",
                    ),
                ),
                (
                    "examined_by",
                    models.ForeignKey(
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="examined by",
                    ),
                ),
                (
                    "submission",
                    models.ForeignKey(
                        help_text="The visit this examination was recorded at.",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="examinations",
                        to="intake.intakesubmission",
                        verbose_name="visit preparation form",
                    ),
                ),
            ],
            options={
                "verbose_name": "examination",
                "verbose_name_plural": "examinations",
                "ordering": ["examined_on", "pk"],
            },
        ),
        migrations.RunPython(create_groups, remove_groups),
    ]
