from django.urls import path

from kruzhok.interchange import views

app_name = "interchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("map/<str:file>/<slug:registry>/", views.mapping, name="mapping"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("jobs/<int:job_id>/run/", views.job_run_import, name="run"),
    path("jobs/<int:job_id>/errors.<slug:fmt>", views.job_errors, name="errors"),
    path("templates/<slug:registry>.<slug:fmt>", views.template, name="template"),
    path("export/<slug:registry>.<slug:fmt>", views.export, name="export"),
    path("roster/<int:group_id>.<slug:fmt>", views.group_roster, name="roster"),
]
