"""The staff groups: exactly the permissions each job needs.

"Clinic staff" review sent forms. Least privilege: view submissions and their rows, change a
submission (the admin limits that to status and staff note; intake/admin.py), view the
examiner's findings, and invite patients (intake/invitation_admin.py). No delete, no export, no
content or accounts: superusers do those, or grant them person by person.

"Clinicians" examine patients: what clinic staff may do, and record and correct examinations
(intake/examination_admin.py). Deleting an examination stays with superusers.

Used by the create_staff_user command (which recreates a group if someone deleted it).
Migrations keep their own frozen copy of these lists (0003, 0012, 0014): a migration must create the
groups as they were when it was written, whatever the lists become.
"""

from django.apps import apps as global_apps

CLINIC_STAFF_GROUP = "Clinic staff"
CLINIC_STAFF_PERMISSIONS = (
    ("intake", "view_intakesubmission"),
    ("intake", "change_intakesubmission"),
    ("intake", "view_medicine"),
    ("intake", "view_injury"),
    ("intake", "view_testdone"),
    ("intake", "view_examination"),
    ("intake", "view_invitation"),
    ("intake", "add_invitation"),
)

CLINICIAN_GROUP = "Clinicians"
CLINICIAN_PERMISSIONS = (
    *CLINIC_STAFF_PERMISSIONS,
    ("intake", "add_examination"),
    ("intake", "change_examination"),
)


def ensure_group(name: str, permissions, apps=global_apps):
    """Create the group `name` if needed and give it exactly `permissions`; return it.

    `apps` is a migration's app registry when called from a migration.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in permissions
        ]
    )
    return group


def ensure_clinic_staff_group(apps=global_apps):
    """The "Clinic staff" group with exactly CLINIC_STAFF_PERMISSIONS."""
    return ensure_group(CLINIC_STAFF_GROUP, CLINIC_STAFF_PERMISSIONS, apps)


def ensure_clinician_group(apps=global_apps):
    """The "Clinicians" group with exactly CLINICIAN_PERMISSIONS."""
    return ensure_group(CLINICIAN_GROUP, CLINICIAN_PERMISSIONS, apps)
