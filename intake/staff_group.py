"""The "Clinic staff" group: exactly the permissions that reviewing sent forms needs.

Least privilege: view submissions and their rows, change a submission (the admin limits that
to status and staff note; intake/admin.py). No delete, no export, no content or accounts:
superusers do those, or grant them person by person. Used by migration 0003 and by the
create_staff_user command (which recreates the group if someone deleted it).
"""

from django.apps import apps as global_apps

CLINIC_STAFF_GROUP = "Clinic staff"
CLINIC_STAFF_PERMISSIONS = (
    ("intake", "view_intakesubmission"),
    ("intake", "change_intakesubmission"),
    ("intake", "view_medicine"),
    ("intake", "view_injury"),
    ("intake", "view_testdone"),
)


def ensure_clinic_staff_group(apps=global_apps):
    """Create the group if needed and give it exactly CLINIC_STAFF_PERMISSIONS; return it.

    `apps` is a migration's app registry when called from a migration.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=CLINIC_STAFF_GROUP)
    group.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in CLINIC_STAFF_PERMISSIONS
        ]
    )
    return group
