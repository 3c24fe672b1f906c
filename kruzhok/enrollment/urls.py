"""The organization's inbox (see ``views.py`` for who may use it)."""

from django.urls import path

from kruzhok.enrollment import views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("actions/", views.inbox_action, name="action"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/enroll/", views.application_enroll_view, name="enroll"),
    path("groups/", views.groups, name="groups"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("enrollments/<int:pk>/end/", views.enrollment_end_view, name="enrollment_end"),
    path("enrollments/<int:pk>/transfer/", views.enrollment_transfer_view, name="enrollment_transfer"),
]
