from django.urls import path

from kruzhok.catalog import views

app_name = "catalog"

urlpatterns = [
    path("catalog/", views.search, name="search"),
    path("programmes/<int:programme_id>/", views.programme, name="programme"),
    path("organizations/<int:organization_id>/", views.organization, name="organization"),
]
