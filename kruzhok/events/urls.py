from django.urls import path

from kruzhok.events import views

app_name = "events"
urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/feed.ics", views.event_feed, name="feed"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/register/", views.event_register, name="register"),
    path("practices/", views.practice_list, name="practices"),
    path("practices/<int:pk>/", views.practice_detail, name="practice"),
    path("practices/<int:pk>/files/<int:file_pk>/", views.practice_file, name="practice_file"),
    path("org/events/", views.org_events, name="org_events"),
    path("org/events/new/", views.org_event_create, name="org_event_create"),
    path("org/events/<int:pk>/", views.org_event, name="org_event"),
    path("org/events/<int:pk>/edit/", views.org_event_edit, name="org_event_edit"),
    path("org/events/<int:pk>/participants/<int:participant_pk>/result/", views.org_result_add,
         name="org_result_add"),
    path("org/events/<int:pk>/cancel/", views.org_event_cancel, name="org_event_cancel"),
    path("org/events/<int:pk>/delete/", views.org_event_delete, name="org_event_delete"),
    path("org/teachers/", views.org_teachers, name="org_teachers"),
    path("org/teachers/<int:pk>/", views.org_teacher, name="org_teacher"),
]
