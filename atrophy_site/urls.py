from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("learn/", include("education.urls")),
    path("prepare/", include("intake.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "atrophy_site.views.page_not_found"
handler500 = "atrophy_site.views.server_error"
