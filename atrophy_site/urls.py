from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("ready/", views.ready, name="ready"),
    # set_language: the header's "English | Español" switch posts here (templates/includes/).
    path("i18n/", include("django.conf.urls.i18n")),
    path("learn/", include("education.urls")),
    path("prepare/", include("intake.urls")),
    path(settings.ADMIN_URL, admin.site.urls),  # configurable: ADMIN_URL
]

handler404 = "atrophy_site.views.page_not_found"
handler500 = "atrophy_site.views.server_error"
