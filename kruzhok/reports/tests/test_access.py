"""Who may order which report, who sees the archive, and the public list of published reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kruzhok.core.errors import DomainError
from kruzhok.reports.models import GeneratedReport
from kruzhok.reports.services import report_order, report_publish

pytestmark = pytest.mark.django_db
START, END = dt.date(2025, 1, 1), dt.date(2025, 6, 30)


def order(user, template, territory, **kwargs):
    return report_order(actor=user, template=template, territory=territory, start=START, end=END, **kwargs)


def test_municipal_admin_orders_only_for_their_municipality(world, municipal_admin):
    assert order(municipal_admin, "municipal", world.a1).municipality == world.a1
    for template, territory in (("municipal", world.a2), ("weekly", world.b1), ("regional", world.region_a),
                                ("organization", world.other_org)):
        with pytest.raises(DomainError):
            order(municipal_admin, template, territory)
    assert GeneratedReport.objects.count() == 1


def test_regional_admin_orders_for_the_region_and_its_municipalities(world, regional_admin):
    order(regional_admin, "regional", world.region_a)
    order(regional_admin, "municipal", world.a2)
    with pytest.raises(DomainError):
        order(regional_admin, "municipal", world.b1)
    with pytest.raises(DomainError):
        order(regional_admin, "regional", world.region_b)


def test_org_admin_orders_the_annual_information_of_their_organization_only(world, org_admin):
    assert order(org_admin, "organization", world.org).organization == world.org
    for template, territory in (("organization", world.other_org), ("municipal", world.a1)):
        with pytest.raises(DomainError):
            order(org_admin, template, territory)


def test_the_page_offers_and_accepts_only_own_territories(client, world, municipal_admin):
    client.force_login(municipal_admin)
    page = client.get(reverse("reports:index"))
    assert page.status_code == 200
    choices = dict(page.context["form"].fields["territory"].choices)
    assert [value for value, _label in sum(choices.values(), [])] == [
        f"municipality:{world.a1.pk}", *(f"organization:{pk}" for pk in [world.org.pk])]
    response = client.post(reverse("reports:index"), {
        "template": "municipal", "territory": f"municipality:{world.a2.pk}", "start": START, "end": END,
        "language": "ru"})
    assert response.status_code == 200 and "territory" in response.context["form"].errors
    assert not GeneratedReport.objects.exists()


def test_teachers_and_parents_are_sent_to_the_published_reports(client, teacher, parent):
    for user in (teacher, parent):
        client.force_login(user)
        response = client.get(reverse("reports:index"))
        assert response.status_code == 302 and response["Location"] == reverse("reports:public")
        response = client.post(reverse("reports:index"), {"template": "organization",
                                                          "territory": "organization:1"})
        assert response.status_code == 302
    assert not GeneratedReport.objects.exists()


def test_order_generate_download_and_publish(client, world, municipal_admin, settings, tmp_path,
                                             django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(municipal_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:index"), {
            "template": "weekly", "territory": f"municipality:{world.a1.pk}", "start": START, "end": END,
            "language": "kk"})
    report = GeneratedReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[report.pk])
    assert (report.author, report.language) == (municipal_admin, "kk")
    detail = client.get(reverse("reports:detail", args=[report.pk]))
    assert detail.status_code == 200
    download = client.get(reverse("reports:download", args=[report.pk, "xlsx"]))
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"

    public = reverse("reports:public_download", args=[report.pk, "pdf"])
    client.logout()
    assert client.get(public).status_code == 404  # not published yet
    client.force_login(municipal_admin)
    client.post(reverse("reports:publish", args=[report.pk]), {"public": "1"})
    client.logout()
    assert report.title in client.get(reverse("reports:public")).content.decode()
    response = client.get(public)
    assert response.status_code == 200 and b"".join(response.streaming_content)[:4] == b"%PDF"


def test_archive_and_publishing_are_scoped(world, municipal_admin, outsider, client):
    mine = order(municipal_admin, "municipal", world.a1)
    theirs = GeneratedReport.objects.create(template="organization", organization=world.far_org,
                                            municipality=world.b1, region=world.region_b, period_start=START,
                                            period_end=END)
    client.force_login(municipal_admin)
    assert client.get(reverse("reports:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("reports:detail", args=[mine.pk])).status_code == 200
    with pytest.raises(DomainError):
        report_publish(actor=outsider, report=mine)
    mine.refresh_from_db()
    assert not mine.is_public
