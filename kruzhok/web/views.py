from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kruzhok.web.selectors import home_summary


def home(request: HttpRequest) -> HttpResponse:
    """Public: the navigator's front page with published figures only."""
    return render(request, "web/home.html", {"summary": home_summary()})
