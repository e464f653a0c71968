"""The admin app, installed with our staff admin site as `admin.site`.

Listed in INSTALLED_APPS instead of "django.contrib.admin", so every `@admin.register` (ours and
third-party apps') lands on `atrophy_site.admin_site.StaffAdminSite`, which asks for a second
factor. Kept apart from atrophy_site/apps.py so that module keeps a single AppConfig.
"""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "atrophy_site.admin_site.StaffAdminSite"

    def ready(self):
        super().ready()
        from . import checks  # noqa: F401  (registers the system checks)
