from django.apps import AppConfig


class AtrophySiteConfig(AppConfig):
    """The project package doubles as an app so it can hold shared templates tags and checks."""

    name = "atrophy_site"
    verbose_name = "Site"
