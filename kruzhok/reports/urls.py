from django.urls import path

from kruzhok.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:report_id>/", views.detail, name="detail"),
    path("<int:report_id>/publish/", views.publish, name="publish"),
    path("<int:report_id>/<str:fmt>/", views.download, name="download"),
    path("public/", views.public_list, name="public"),
    path("public/<int:report_id>/<str:fmt>/", views.public_download, name="public_download"),
]
