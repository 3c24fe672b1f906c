"""The monitoring workspace (see ``views.py`` for who may use it)."""

from django.urls import path

from kruzhok.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("refresh/", views.refresh, name="refresh"),
    path("section/<str:name>/", views.section, name="section"),
    path("list/<str:kind>/", views.drilldown, name="list"),
    path("quality/", views.quality, name="quality"),
    path("population/", views.population, name="population"),
]
