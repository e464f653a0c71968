from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Visit preparation"

    def ready(self):
        from . import audit  # noqa: F401  (connects the staff summary-view audit log)
