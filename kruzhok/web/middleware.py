from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import get_script_prefix, get_urlconf, is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    """Keep a visitor in the language they chose with the switcher.

    With ``i18n_patterns(prefix_default_language=False)`` Django serves every unprefixed URL in
    ``LANGUAGE_CODE`` (Russian) whatever the language cookie says, so someone who picked Kazakh and
    later opens a bookmarked ``/`` would get Russian. This sends a GET of an unprefixed page to its
    ``/kk/…`` or ``/en/…`` twin when the cookie names another language. Only the cookie — an explicit
    choice — counts, not ``Accept-Language``: many Russian and Kazakh speakers run browsers in English,
    and ``/`` stays the canonical Russian page for links and search engines.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        target = self.target(request)
        if target is None:
            return self.get_response(request)
        response = HttpResponseRedirect(target)
        patch_vary_headers(response, ("Cookie",))
        return response

    @staticmethod
    def target(request: HttpRequest) -> str | None:
        if request.method not in ("GET", "HEAD"):
            return None
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not chosen or chosen == settings.LANGUAGE_CODE or chosen not in dict(settings.LANGUAGES):
            return None
        if translation.get_language_from_path(request.path_info):
            return None
        urlconf = getattr(request, "urlconf", None) or get_urlconf()
        with translation.override(chosen):  # the i18n prefix resolves in the active language only
            valid = is_valid_path(f"/{chosen}{request.path_info}", urlconf)
        if not valid:
            return None  # not a translated page: /i18n/…, static files, 404s
        script_prefix = get_script_prefix()
        return request.get_full_path().replace(script_prefix, f"{script_prefix}{chosen}/", 1)
