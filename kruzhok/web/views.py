from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views import i18n

from kruzhok.web.forms import LoginForm
from kruzhok.web.selectors import home_summary


def catalog_url() -> str:
    """The navigator catalog in the active language."""
    return reverse("catalog:search")


def home(request: HttpRequest) -> HttpResponse:
    """Public: the navigator's front page with published figures only."""
    return render(request, "web/home.html", {"summary": home_summary(), "catalog_url": catalog_url()})


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language``, translating ``next`` out of the language its own prefix names.

    The view lives outside ``i18n_patterns``, so (with ``prefix_default_language=False``) it runs in
    Russian, and Django's ``translate_url`` cannot resolve ``/kk/…`` there: switching from Kazakh to
    English would leave the visitor on the Kazakh page. Resolving ``next`` in its own language fixes that.
    """
    next_url = request.POST.get("next", request.GET.get("next")) or ""
    source = translation.get_language_from_path(urlsplit(next_url).path) or settings.LANGUAGE_CODE
    with translation.override(source):
        return i18n.set_language(request)
