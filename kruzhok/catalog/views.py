"""The public navigator: catalog search, a programme's card, an organization's page. No login needed."""

from __future__ import annotations

import dataclasses

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kruzhok.catalog.forms import CatalogSearchForm
from kruzhok.catalog.selectors import catalog_search, organization_detail, programme_detail


def search(request: HttpRequest) -> HttpResponse:
    form = CatalogSearchForm(request.GET or None)
    filters = form.filters()
    results = catalog_search(filters=filters, page=form.page_number())
    filters_open = not dataclasses.replace(filters, q="", organization_id=None).is_empty or bool(form.errors)
    return render(request, "catalog/search.html", {"form": form, "results": results, "filters_open": filters_open})


def programme(request: HttpRequest, programme_id: int) -> HttpResponse:
    card = programme_detail(programme_id=programme_id)
    if card is None:
        raise Http404
    return render(request, "catalog/programme.html", {"card": card})


def organization(request: HttpRequest, organization_id: int) -> HttpResponse:
    page = organization_detail(organization_id=organization_id)
    if page is None:
        raise Http404
    return render(request, "catalog/organization.html", {"page": page})
