from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config.api import api
from kruzhok.web.views import set_language

urlpatterns = [
    # Outside i18n_patterns: the language switch itself is language-independent.
    path("i18n/setlang/", set_language, name="set_language"),
]
urlpatterns += [
    path("api/", api.urls),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("kruzhok.catalog.urls")),
    path("cabinet/", include("kruzhok.web.cabinet_urls")),
    path("inbox/", include("kruzhok.enrollment.urls")),
    path("jobs/", include("kruzhok.core.urls")),
    path("monitoring/", include("kruzhok.monitoring.urls")),
    path("dedup/", include("kruzhok.dedup.urls")),
    path("reports/", include("kruzhok.reports.urls")),
    path("interchange/", include("kruzhok.interchange.urls")),
    path("", include("kruzhok.events.urls")),
    path("", include("kruzhok.web.urls")),
    prefix_default_language=False,
)
