"""The parent's cabinet (see ``cabinet_views.py`` for who may use it)."""

from django.urls import path

from kruzhok.web import cabinet_views as views

app_name = "cabinet"

urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("children/add/", views.child_add, name="child_add"),
    path("apply/<int:group_id>/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw_view, name="withdraw"),
]
