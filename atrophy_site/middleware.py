"""Response headers that Django's SecurityMiddleware does not set, and the health probe."""

from django.conf import settings

#: Where load balancers probe (atrophy_site/urls.py "health" and "ready").
PROBE_PATHS = ("/health/", "/ready/")


class HealthCheckMiddleware:
    """Answer `/health/` and `/ready/` before anything checks the Host header or redirects to
    HTTPS.

    A load balancer probes each server at its own address over plain HTTP (Host: 10.0.0.5:8000),
    which ALLOWED_HOSTS rightly refuses for pages (400) and SECURE_SSL_REDIRECT would send to
    HTTPS. The probe reads no request data and returns no personal data. First in MIDDLEWARE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in PROBE_PATHS:
            from . import views  # the views import the database layer

            probe = views.health if request.path_info == "/health/" else views.ready
            return probe(request)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Turn off browser features the site never uses (camera, location...)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
