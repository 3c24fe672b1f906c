"""Import of applications and of events with results: bad rows reported exactly, good rows in, re-import idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from kruzhok import factories as f
from kruzhok.enrollment.models import Application, ApplicationStatus, ApplicationStatusChange, RejectReason
from kruzhok.events.models import Event, EventParticipant, EventResult
from kruzhok.interchange.importer import errors_read
from kruzhok.interchange.registries import REGISTRIES
from kruzhok.interchange.tests.test_import import run_import, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(world):
    org = f.OrganizationFactory(municipality=world.a1, short_name="ЦДО Заявки", tax_id="7701234511")
    programme = f.ProgrammeFactory(organization=org, code="P-9", title="Шахматы", age_from=7, age_to=14)
    world.app_org, world.app_group = org, f.GroupFactory(programme=programme, name="Г-9", capacity=30)
    world.kids = [f.ChildFactory(municipality=world.a1, surname=f"Заявкин{i}", name="Иван", patronymic="",
                                 birth_date=dt.date(2015, 3, 1 + i)) for i in range(4)]
    world.teacher = f.TeacherFactory(surname="Наставникова", name="Ольга")
    f.EmploymentFactory(teacher=world.teacher, organization=org)
    return world


def headers(key):
    return [str(c.label) for c in REGISTRIES[key].columns]


def test_applications_bad_rows_reported_and_reimport_changes_nothing(town):
    k = town.kids
    rows = [
        [k[0].surname, "Иван", "", k[0].birth_date, "", "", "7701234511", "P-9", "Г-9", "01.09.2025 10:00", "", "",
         ""],
        [k[1].surname, "Иван", "", k[1].birth_date, "", "", "7701234511", "P-9", "Г-9", "02.09.2025 11:30",
         "в очереди", "", "по телефону"],
        ["Неизвестный", "Иван", "", dt.date(2015, 1, 1), "", "", "7701234511", "P-9", "Г-9", "02.09.2025", "", "",
         ""],
        [k[2].surname, "Иван", "", k[2].birth_date, "", "", "7701234511", "P-9", "Г-404", "02.09.2025", "", "", ""],
        [k[3].surname, "Иван", "", k[3].birth_date, "", "", "7701234511", "P-9", "Г-9", "вчера", "", "", ""],
        [k[3].surname, "Иван", "", k[3].birth_date, "", "", "7701234511", "P-9", "Г-9", "03.09.2025", "сдана", "",
         ""],
    ]
    data = xlsx_file(headers("applications"), rows)
    job = run_import(town.municipal_admin, data, registry="applications")
    assert (job.result["created"], job.result["refused"]) == (2, 4)
    errors = {(e["row"], e["column"]): e["message"] for e in errors_read(job.pk)}
    assert errors == {
        (4, "Фамилия"): "Ребёнок не найден: сначала загрузите реестр детей.",
        (5, "Группа"): "Группа «Г-404» не найдена в программе.",
        (6, "Дата подачи заявки"): "Не дата: «вчера» (ожидается ДД.ММ.ГГГГ).",
        (7, "Статус заявки"): errors[(7, "Статус заявки")],
    }
    assert errors[(7, "Статус заявки")].startswith("Нет такого значения: «сдана»")
    apps = Application.objects.filter(group=town.app_group).order_by("submitted_at")
    assert [(a.child_id, a.status, a.channel) for a in apps] == [
        (k[0].pk, ApplicationStatus.SUBMITTED, Application.Channel.IMPORT),
        (k[1].pk, ApplicationStatus.WAITLISTED, Application.Channel.IMPORT)]
    # Each imported application starts its history: «imported», at the submission time, with its status, and
    # already marked as notified (an import mails no family).
    history = [(c.application_id, c.from_status, c.to_status, c.at, c.actor_id, c.note, c.notified_at is not None)
               for c in ApplicationStatusChange.objects.filter(application__in=apps).order_by("at")]
    assert history == [(a.pk, "", a.status, a.submitted_at, town.municipal_admin.pk, "Загружена импортом", True)
                       for a in apps]

    def snapshot():
        return (list(Application.objects.order_by("pk").values()),
                list(ApplicationStatusChange.objects.order_by("pk").values()))

    before = snapshot()
    again = run_import(town.municipal_admin, data, registry="applications")
    assert (again.result["created"], again.result["updated"], again.result["unchanged"]) == (0, 0, 2)
    assert snapshot() == before


def test_applications_reject_reason_by_code_or_name_and_status_changes_in_history(town):
    k = town.kids
    reason = RejectReason.objects.create(code="no-docs", name="Не представлены документы",
                                         name_en="No documents")
    base = "7701234511", "P-9", "Г-9"

    def row(kid, at, status, why=""):
        return [kid.surname, "Иван", "", kid.birth_date, "", "", *base, at, status, why, ""]

    rows = [
        row(k[0], "01.09.2025 10:00", "отклонена", "no-docs"),
        row(k[1], "01.09.2025 11:00", "rejected", "No documents"),
        row(k[2], "01.09.2025 12:00", "отклонена", "нет мест в зале"),
        row(k[3], "01.09.2025 13:00", "отклонена"),
        row(k[3], "01.09.2025 14:00", "в очереди", "no-docs"),
    ]
    job = run_import(town.municipal_admin, xlsx_file(headers("applications"), rows), registry="applications")
    assert (job.result["created"], job.result["refused"]) == (2, 3), errors_read(job.pk)
    errors = {(e["row"], e["column"]): e["message"] for e in errors_read(job.pk)}
    assert errors == {
        (4, "Причина отказа"): "Причина отказа «нет мест в зале» не найдена в справочнике.",
        (5, "Причина отказа"): "Укажите причину отказа.",
        (6, "Причина отказа"): "Причина отказа указывается только у отклонённой заявки.",
    }
    rejected = Application.objects.filter(group=town.app_group).order_by("submitted_at")
    assert [(a.child_id, a.status, a.reject_reason_id) for a in rejected] == [
        (k[0].pk, ApplicationStatus.REJECTED, reason.pk), (k[1].pk, ApplicationStatus.REJECTED, reason.pk)]

    # The export carries the reason.
    registry = REGISTRIES["applications"]
    exported = list(registry.export_rows(town.municipal_admin,
                                         registry.export_queryset(town.municipal_admin).filter(group=town.app_group)))
    assert [line[headers("applications").index("Причина отказа")] for line in exported] == [reason.name] * 2

    # A status changed by a later import: the application updates and its history gets one more row.
    waiting = run_import(town.municipal_admin, xlsx_file(headers("applications"), [row(k[2], "02.09.2025 09:00", "")]),
                         registry="applications")
    assert waiting.result["created"] == 1
    app = Application.objects.get(child=k[2], group=town.app_group)
    changed = run_import(town.municipal_admin,
                         xlsx_file(headers("applications"), [row(k[2], "02.09.2025 09:00", "отклонена", "no-docs")]),
                         registry="applications")
    assert changed.result["updated"] == 1, errors_read(changed.pk)
    app.refresh_from_db()
    assert (app.status, app.reject_reason_id) == (ApplicationStatus.REJECTED, reason.pk)
    assert [(c.from_status, c.to_status, c.note) for c in app.history.order_by("at", "pk")] == [
        ("", ApplicationStatus.SUBMITTED, "Загружена импортом"),
        (ApplicationStatus.SUBMITTED, ApplicationStatus.REJECTED, "Статус изменён импортом")]


def test_events_with_results_bad_rows_reported_and_reimport_changes_nothing(town):
    k, t = town.kids, town.teacher
    base = ["Городская олимпиада по шахматам", "15.02.2026", "7701234511", "олимпиада", "муниципальный", ""]
    nobody = ["", "", "", None, ""]
    rows = [
        base + [k[0].surname, "Иван", "", k[0].birth_date, "", "", "", "", "", "победитель", "блиц"],
        base + [k[1].surname, "Иван", "", k[1].birth_date, "", "", "", "", "", "призёр", "блиц"],
        base + nobody + ["", t.surname, t.name, "", "участник", ""],
        base + nobody + ["", "", "", "Белая ладья", "II место", "командный зачёт"],
        base + ["Нетакой", "Иван", "", dt.date(2015, 1, 1), "", "", "", "", "", "победитель", ""],
        base + nobody + ["", "", "", "", "участник", ""],
        ["Новая олимпиада", "01.03.2026", "7701234511", "", "муниципальный", ""] + nobody
        + ["", "", "", "Ферзь", "участник", ""],
        base + [k[2].surname, "Иван", "", k[2].birth_date, "", "", "", "", "", "первое место", ""],
    ]
    data = xlsx_file(headers("events"), rows)
    job = run_import(town.municipal_admin, data, registry="events")
    assert (job.result["created"], job.result["refused"]) == (4, 4), errors_read(job.pk)
    errors = {(e["row"], e["column"]): e["message"] for e in errors_read(job.pk)}
    assert set(errors) == {(6, "Ребёнок: фамилия"), (7, "Ребёнок: фамилия"), (8, "Вид мероприятия"),
                           (9, "Результат")}
    assert errors[(6, "Ребёнок: фамилия")] == "Ребёнок не найден: сначала загрузите реестр детей."
    assert errors[(7, "Ребёнок: фамилия")] == "Участник — ребёнок, педагог или команда."
    assert errors[(8, "Вид мероприятия")] == "Обязательное поле не заполнено."
    event = Event.objects.get(title="Городская олимпиада по шахматам")
    assert event.organizer == town.app_org and event.status == Event.Status.HELD
    assert not Event.objects.filter(title="Новая олимпиада").exists()
    results = {(p.child_id, p.teacher_id, p.team_name, r.result, r.nomination)
               for p in EventParticipant.objects.filter(event=event) for r in p.results.all()}
    assert results == {(k[0].pk, None, "", "winner", "блиц"), (k[1].pk, None, "", "prize_winner", "блиц"),
                       (None, t.pk, "", "participant", ""), (None, None, "Белая ладья", "place_2", "командный зачёт")}

    def snapshot():
        return (list(Event.objects.order_by("pk").values()), list(EventParticipant.objects.order_by("pk").values()),
                list(EventResult.objects.order_by("pk").values()))

    before = snapshot()
    again = run_import(town.municipal_admin, data, registry="events")
    assert (again.result["created"], again.result["updated"], again.result["unchanged"]) == (0, 0, 4)
    assert snapshot() == before
    rows[1][-2] = "победитель"  # a changed result updates the row
    changed = run_import(town.municipal_admin, xlsx_file(headers("events"), rows[:2]), registry="events")
    assert (changed.result["updated"], changed.result["unchanged"]) == (1, 1)
    assert EventResult.objects.filter(participant__child=k[1], result="winner").count() == 1
