from django.urls import path

from kruzhok.core import views

app_name = "core"
urlpatterns = [
    path("<int:job_id>/", views.job_status, name="job"),
]
