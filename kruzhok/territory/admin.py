"""Back office of the territory: regions, municipalities, settlements and the child population."""

from __future__ import annotations

from django.contrib import admin

from kruzhok.accounts.admin_scoping import InScope, ScopedAdmin
from kruzhok.territory.models import Municipality, Population, Region, Settlement


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ("name", "code", "country")
    list_filter = ("country",)
    search_fields = ("name", "name_kk", "name_en", "code")


@admin.register(Municipality)
class MunicipalityAdmin(ScopedAdmin):
    list_display = ("name", "code", "kind", "region")
    list_filter = ("kind", ("region", InScope))
    search_fields = ("name", "name_kk", "name_en", "code")
    list_select_related = ("region",)


@admin.register(Settlement)
class SettlementAdmin(ScopedAdmin):
    list_display = ("name", "municipality", "is_rural")
    list_filter = ("is_rural", ("municipality__region", InScope), ("municipality", InScope))
    search_fields = ("name", "name_kk", "name_en", "municipality__name")
    list_select_related = ("municipality",)
    autocomplete_fields = ("municipality",)


@admin.register(Population)
class PopulationAdmin(ScopedAdmin):
    list_display = ("municipality", "year", "age", "count")
    list_filter = ("year", ("municipality", InScope))
    search_fields = ("municipality__name",)
    list_select_related = ("municipality",)
    autocomplete_fields = ("municipality",)
