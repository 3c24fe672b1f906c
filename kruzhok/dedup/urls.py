from django.urls import path

from kruzhok.dedup import views

app_name = "dedup"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("search/", views.search_start, name="search"),
    path("pair/<int:pk>/", views.pair, name="pair"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:pk>/unmerge/", views.unmerge, name="unmerge"),
]
