"""Events held by a schedule: the dates typed one a line, the sessions stored, start and end as their envelope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from kruzhok import factories as f
from kruzhok.catalog.models import Organization, Programme
from kruzhok.events import selectors, services
from kruzhok.events.forms import EventForm
from kruzhok.events.models import Event, EventDate, Partnership
from kruzhok.events.schedule import Session, sessions_parse, sessions_text

D = dt.date
T = dt.time


def test_lines_read_back():
    text = """
        07.02.2024 15:00–17:00 ЦДТ, актовый зал
        02.02.2024
        2024-04-16 9.30 стадион «Труд»
        1.3.24, 10:00 - 12:00; финал
    """
    assert sessions_parse(text) == [
        Session(D(2024, 2, 2)),
        Session(D(2024, 2, 7), T(15), T(17), "ЦДТ, актовый зал"),
        Session(D(2024, 3, 1), T(10), T(12), "финал"),
        Session(D(2024, 4, 16), T(9, 30), None, "стадион «Труд»"),
    ]
    sessions = sessions_parse(text)
    assert sessions_parse(sessions_text(sessions)) == sessions


def test_every_bad_line_is_named():
    text = "\n".join([
        "02.02.2024",
        "по графику",  # 2: no date
        "31.02.2024",  # 3: no such date
        "03.02.2024 25:00",  # 4: no such time
        "04.02.2024 17:00–15:00",  # 5: ends before it starts
        "02.02.2024",  # 6: twice
        "05.02.2024 " + "я" * 301,  # 7: too long
    ])
    with translation.override("ru"), pytest.raises(ValidationError) as caught:
        sessions_parse(text)
    messages = caught.value.messages
    assert [m.split(":")[0] for m in messages] == [f"Строка {n}" for n in (2, 3, 4, 5, 6, 7)]
    assert "«31.02.2024»" in messages[1] and "«25:00»" in messages[2] and "строке 1" in messages[4]


def _form(world, data):
    return EventForm(data, organizations=Organization.objects.filter(pk=world.org.pk),
                     programmes=Programme.objects.none(), partnerships=Partnership.objects.none())


def _data(world, **extra):
    return {"title": "Турнир «РобоЛига»", "kind": "competition", "level": "municipal", "organizer": world.org.pk,
            "audience": "children", "format": "in_person", "is_public": "on", **extra}


def test_form_takes_the_envelope_from_the_dates(world):
    form = _form(world, _data(world, start_date="2024-01-01", dates="16.04.2024\n02.02.2024 15:00–17:00"))
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["start_date"], form.cleaned_data["end_date"]) == (D(2024, 2, 2), D(2024, 4, 16))
    assert [s.date for s in form.cleaned_data["dates"]] == [D(2024, 2, 2), D(2024, 4, 16)]


def test_form_errors(world):
    with translation.override("ru"):
        form = _form(world, _data(world, dates="02.02.2024\n30.02.2024"))
        assert not form.is_valid()
        assert form.errors["dates"] == ["Строка 2: нет такой даты «30.02.2024»."]
        assert "start_date" not in form.errors  # the bad line is the one reason given
        form = _form(world, _data(world))
        assert not form.is_valid()
        assert form.errors["start_date"] == ["Укажите дату начала или даты по графику."]
        form = _form(world, _data(world, start_date="2024-02-02"))  # one day: no schedule needed
        assert form.is_valid(), form.errors
        assert form.cleaned_data["dates"] == []


def test_service_keeps_sessions_and_envelope_in_step(world):
    sessions = sessions_parse("02.02.2024 15:00–17:00 ЦДТ\n07.02.2024\n16.04.2024 10:00")
    event = services.event_create(actor=world.org_admin, title="Судейский семинар", kind="seminar",
                                  level="municipal", organizer=world.org, start_date=D(2030, 1, 1),
                                  dates=sessions)
    assert (event.start_date, event.end_date) == (D(2024, 2, 2), D(2024, 4, 16))
    assert list(event.dates.values_list("date", "start_time", "end_time", "place")) == [
        (D(2024, 2, 2), T(15), T(17), "ЦДТ"), (D(2024, 2, 7), None, None, ""), (D(2024, 4, 16), T(10), None, "")]
    assert selectors.event_dates(event) == "02.02.2024, 07.02.2024, 16.04.2024"

    # Other fields changed, dates untouched: a start typed by hand gives way to the schedule.
    services.event_update(actor=world.org_admin, event=event, title="Судейский семинар для педагогов",
                          start_date=D(2024, 1, 1))
    event.refresh_from_db()
    assert (event.start_date, event.end_date, event.dates.count()) == (D(2024, 2, 2), D(2024, 4, 16), 3)

    services.event_update(actor=world.org_admin, event=event, dates=sessions_parse("01.03.2024\n05.03.2024"))
    event.refresh_from_db()
    assert (event.start_date, event.end_date, event.dates.count()) == (D(2024, 3, 1), D(2024, 3, 5), 2)

    services.event_update(actor=world.org_admin, event=event, dates=[], start_date=D(2024, 3, 1), end_date=None)
    event.refresh_from_db()
    assert (event.start_date, event.end_date, event.dates.count()) == (D(2024, 3, 1), D(2024, 3, 1), 0)


def test_many_dates_print_as_their_span(world):
    days = [D(2024, 1, 9) + dt.timedelta(weeks=n) for n in range(12)]
    event = services.event_create(actor=world.org_admin, title="Консультации", kind="seminar", level="municipal",
                                  organizer=world.org, schedule_note="по графику",
                                  dates=[Session(day) for day in days])
    with translation.override("ru"):
        assert selectors.event_dates(event) == "по графику, 09.01.2024–26.03.2024, дат: 12"


def test_dates_of_someone_elses_event_are_refused(world):
    with pytest.raises(PermissionDenied):
        services.event_update(actor=world.outsider, event=world.event, dates=[Session(D(2025, 1, 22))])
    assert not world.event.dates.exists()


def test_envelope_follows_dates_edited_in_the_admin(world):
    event = world.event
    EventDate.objects.create(event=event, date=D(2025, 5, 5))
    EventDate.objects.create(event=event, date=D(2025, 5, 20))
    services.event_envelope_sync(actor=world.org_admin, event=event)
    event.refresh_from_db()
    assert (event.start_date, event.end_date) == (D(2025, 5, 5), D(2025, 5, 20))


def test_org_pages_edit_the_schedule(client, world):
    client.force_login(world.org_admin)
    response = client.post(reverse("events:org_event_create"), _data(
        world, dates="10.03.2030 15:00–17:00 Технопарк\n24.03.2030 15:00–17:00 Технопарк\n07.04.2030 11:00 финал"))
    event = Event.objects.get(title="Турнир «РобоЛига»")
    assert response.status_code == 302
    assert (event.start_date, event.end_date, event.dates.count()) == (D(2030, 3, 10), D(2030, 4, 7), 3)
    page = client.get(reverse("events:org_event_edit", args=[event.pk])).content.decode()
    assert "10.03.2030 15:00–17:00 Технопарк\n24.03.2030 15:00–17:00 Технопарк\n07.04.2030 11:00 финал" in page

    with translation.override("ru"):
        response = client.post(reverse("events:org_event_edit", args=[event.pk]),
                               _data(world, dates="10.03.2030\n10.03.2030 без времени?"))
    assert response.status_code == 200
    assert "Строка 2: эта дата и время уже есть в строке 1." in response.content.decode()
    assert event.dates.count() == 3  # nothing changed


def test_public_pages_show_the_schedule(client, world):
    today = timezone.localdate()
    event = services.event_create(actor=world.org_admin, title="Турнир «РобоЛига»", kind="competition",
                                  level="municipal", organizer=world.org, dates=[
                                      Session(today - dt.timedelta(days=7), T(15), T(17), "отбор"),
                                      Session(today + dt.timedelta(days=7), T(15), T(17), "полуфинал"),
                                      Session(today + dt.timedelta(days=21), T(11), None, "ДК, финал")])
    listing = client.get(reverse("events:list")).content.decode()
    assert event.title in listing and "дат по графику: 3" in listing and "(полуфинал)" in listing
    detail = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert detail.count("<tr") == 4 and "ДК, финал" in detail and "15:00–17:00" in detail
    assert 'aria-current="date"' in detail


@pytest.mark.parametrize(("date_from", "date_to", "found"), [
    (D(2030, 3, 9), D(2030, 3, 12), True),  # the first date
    (D(2030, 3, 20), D(2030, 3, 30), True),  # the middle date
    (D(2030, 3, 12), D(2030, 3, 20), False),  # between the dates: nothing held
    (D(2030, 4, 8), None, False),  # after the last date
    (None, D(2030, 3, 9), False),  # before the first
])
def test_date_filter_matches_any_of_the_dates(world, date_from, date_to, found):
    scheduled = services.event_create(actor=world.org_admin, title="По графику", kind="contest", level="municipal",
                                      organizer=world.org, dates=[Session(D(2030, 3, 10)), Session(D(2030, 3, 24)),
                                                                  Session(D(2030, 4, 7))])
    period = f.EventFactory(title="Выставка на весь март", municipality=world.a1, organizer=world.org,
                            start_date=D(2030, 3, 1), end_date=D(2030, 3, 31))
    events = set(selectors.events_public(when="all", date_from=date_from, date_to=date_to))
    assert (scheduled in events) is found
    assert (period in events) is (date_from is None or date_from <= D(2030, 3, 31)) and \
        (date_to is None or date_to >= D(2030, 3, 1))
