from django.urls import path

from . import views

app_name = "education"

# The fixed pages come before the topic pattern; a topic may not take their slugs (see models).
urlpatterns = [
    path("", views.index, name="index"),
    path("glossary/", views.glossary, name="glossary"),
    path("search/", views.search, name="search"),
    path("<slug:slug>/", views.topic_detail, name="topic"),
]
