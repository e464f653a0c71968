from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "education"
    verbose_name = "Learn about muscle loss"

    def ready(self):
        from .page_cache import connect_signals

        connect_signals()
