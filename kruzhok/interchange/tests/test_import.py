"""Import of real XLSX/CSV files through the job: bad rows reported exactly, good rows in, re-import idempotent."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from kruzhok import factories as f
from kruzhok.core.jobs import job_run
from kruzhok.core.models import Job
from kruzhok.enrollment.models import Enrollment
from kruzhok.interchange.export import csv_bytes, xlsx_bytes
from kruzhok.interchange.importer import errors_read, import_start, upload_save
from kruzhok.interchange.registries import REGISTRIES
from kruzhok.interchange.sample import CHILD_HEADER, bad_iin, child_rows
from kruzhok.people.models import Child, ChildCategory, Guardian, GuardianLink

START = dt.date(2025, 9, 1)


@pytest.fixture
def town(world):
    org = f.OrganizationFactory(municipality=world.a1, short_name="ЦДО Импорт", tax_id="7701234567")
    programme = f.ProgrammeFactory(organization=org, code="P-1", title="Робототехника", age_from=7, age_to=14)
    g1 = f.GroupFactory(programme=programme, name="Г-1", capacity=2000)
    g2 = f.GroupFactory(programme=programme, name="Г-2", capacity=2000)
    world.imp_org, world.imp_programme, world.imp_groups = org, programme, (g1, g2)
    world.imp_group_keys = [("7701234567", "P-1", "Г-1"), ("ЦДО Импорт", "Робототехника", "Г-2")]
    return world


def xlsx_file(header, rows) -> bytes:
    return xlsx_bytes([(h, h) for h in header], rows)


def run_import(user, data: bytes, *, registry="children", suffix=".xlsx", dry_run=False, mapping=None,
               django_capture_on_commit_callbacks=None) -> Job:
    name = upload_save(data, suffix=suffix)
    job = import_start(user=user, file=name, registry=registry, dry_run=dry_run, mapping=mapping)
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    return job


def table(town, n):
    return list(child_rows(n, groups=town.imp_group_keys, municipality="A1", start=START))


@pytest.fixture(params=["inline", "forked"])
def reader(request, settings):
    """The file read by the job itself, or by a forked reading process (``KRUZHOK_IMPORT_FORK_ROWS``)."""
    settings.KRUZHOK_IMPORT_FORK_ROWS = 0 if request.param == "forked" else 10 ** 9
    return request.param


def test_bad_rows_reported_exactly_good_rows_imported(town, reader):
    rows = table(town, 120)
    # 6 bad rows of 120 (5 %), one of each kind; spreadsheet row = index + 2
    rows[3][0] = ""                                   # row 5: missing required surname
    rows[10][3] = "31.02.2015"                        # row 12: bad date
    rows[20][13] = "ДДТ Неизвестный"                  # row 22: unknown organization
    rows[30][3] = dt.date(2005, 1, 15)                # row 32: age outside programme (and ИИН date)
    rows[30][6] = ""
    rows[30][5] = ""
    rows[50][6] = bad_iin(rows[50][6])                # row 52: wrong ИИН checksum
    rows.insert(61, list(rows[60]))                   # row 63: duplicate of row 62
    job = run_import(town.municipal_admin, xlsx_file(CHILD_HEADER, rows))
    result = job.result
    assert result["refused"] == 6
    assert result["created"] == 115
    errors = {(e["row"], e["column"]): e["message"] for e in errors_read(job.pk)}
    assert errors == {
        (5, "Фамилия"): "Обязательное поле не заполнено.",
        (12, "Дата рождения"): "Не дата: «31.02.2015» (ожидается ДД.ММ.ГГГГ).",
        (22, "Организация"): "Организация «ДДТ Неизвестный» не найдена или вне вашей области доступа.",
        (32, "Дата рождения"): "Возраст ребёнка на дату зачисления (20) вне возраста программы (7–14).",
        (52, "СНИЛС / ИИН"): "ИИН: неверная контрольная цифра.",
        (63, ""): "Повтор строки 62.",
    }
    assert Child.objects.filter(enrollments__group__in=town.imp_groups).count() == 115
    assert Enrollment.objects.filter(group__in=town.imp_groups).count() == 115
    # rows 0 and 100 (50 is refused)
    assert ChildCategory.objects.filter(child__enrollments__group__in=town.imp_groups).count() == 2
    assert GuardianLink.objects.filter(child__enrollments__group__in=town.imp_groups).count() == 115

    counts = (Child.objects.count(), Enrollment.objects.count(), Guardian.objects.count(),
              GuardianLink.objects.count(), ChildCategory.objects.count())
    again = run_import(town.municipal_admin, xlsx_file(CHILD_HEADER, rows))
    assert again.result["created"] == 0 and again.result["updated"] == 0
    assert again.result["unchanged"] == 115 and again.result["refused"] == 6
    assert counts == (Child.objects.count(), Enrollment.objects.count(), Guardian.objects.count(),
                      GuardianLink.objects.count(), ChildCategory.objects.count())

    rows[0][7] = "A1"
    rows[0][1] = "Изменённое"
    changed = run_import(town.municipal_admin, xlsx_file(CHILD_HEADER, rows))
    assert changed.result["updated"] == 1 and changed.result["created"] == 0
    assert Child.objects.filter(name="Изменённое").count() == 1


def test_dry_run_writes_nothing_and_predicts(town, reader):
    rows = table(town, 30)
    before = Child.objects.count()
    preview = run_import(town.municipal_admin, xlsx_file(CHILD_HEADER, rows), dry_run=True)
    assert preview.result["created"] == 30 and preview.result["dry_run"]
    assert Child.objects.count() == before
    real = run_import(town.municipal_admin, xlsx_file(CHILD_HEADER, rows))
    assert real.result["created"] == 30


def test_csv_with_english_headers_and_mapping(town):
    rows = table(town, 10)
    # the column keys are accepted as headers (the English and Kazakh labels too, once translated)
    english = ["surname", "name", "patronymic", "birth_date", "sex", "national_id_kind", "national_id",
               "municipality", "categories", "guardian_surname", "guardian_name", "guardian_phone",
               "guardian_relation", "organization", "programme", "group", "start_date"]
    from kruzhok.interchange.importer import auto_mapping

    mapping = auto_mapping(REGISTRIES["children"], english)
    assert len(mapping) == len(english), mapping
    job = run_import(town.municipal_admin, csv_bytes([(h, h) for h in english], rows), suffix=".csv")
    assert job.result["created"] == 10, errors_read(job.pk)
    # a file whose headers follow nothing, with an explicit mapping
    odd = [f"col{i}" for i in range(len(CHILD_HEADER))]
    mapping = {i: key for i, key in enumerate(auto_mapping(REGISTRIES["children"], CHILD_HEADER).values())}
    job = run_import(town.municipal_admin, xlsx_file(odd, rows), mapping=mapping)
    assert job.result["unchanged"] == 10


def test_org_admin_cannot_import_into_another_organization(town):
    rows = table(town, 4)
    job = run_import(town.org_admin, xlsx_file(CHILD_HEADER, rows))  # org_admin runs world.org, not imp_org
    assert job.result["refused"] == 4
    assert {e["column"] for e in errors_read(job.pk)} == {"Организация"}


def test_round_trip_small_registries(town, django_db_blocker):
    """Export every registry, wipe the imported organization's data, import back: the same rows."""
    user = town.superuser
    f.ScheduleSlotFactory(group=town.imp_groups[0], weekday=3)
    run_import(user, xlsx_file(CHILD_HEADER, table(town, 12)))
    exported = {}
    for key in ("organizations", "venues", "programmes", "groups", "teachers", "children", "enrollments",
                "population"):
        reg = REGISTRIES[key]
        exported[key] = (reg.export_columns(user), list(reg.export_rows(user)))
    # re-import of every export changes nothing
    for key, (columns, rows) in exported.items():
        job = run_import(user, xlsx_bytes(columns, rows), registry=key)
        assert job.result["refused"] == 0, (key, errors_read(job.pk))
        assert job.result["created"] == 0 and job.result["updated"] == 0, (key, job.result)
    for key in ("organizations", "programmes", "groups"):
        columns, rows = exported[key]
        job = run_import(user, csv_bytes(columns, rows), registry=key, suffix=".csv")
        assert job.result["unchanged"] == len(rows), (key, errors_read(job.pk))


def test_template_download_reads_back(town, client):
    client.force_login(town.municipal_admin)
    resp = client.get("/interchange/templates/children.xlsx")
    assert resp.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    assert [c.value for c in ws[1]][:3] == ["Фамилия *", "Имя *", "Отчество"]  # required marked; read back fine


ORDER = ("organizations", "venues", "programmes", "groups", "teachers", "children", "enrollments", "population")


def _export_all(user):
    out = {}
    for key in ORDER:
        reg = REGISTRIES[key]
        out[key] = (reg.export_columns(user), sorted(map(tuple, reg.export_rows(user)), key=repr))
    return out


@pytest.mark.django_db
def test_round_trip_into_an_empty_database():
    """Export every registry, empty the database (territory and dictionaries stay), import the files back in
    order: exporting again gives the same rows."""
    from kruzhok.catalog.models import Employment, Group, Organization, Programme, ScheduleSlot, Teacher, Venue
    from kruzhok.territory.models import Population

    region = f.RegionFactory(code="R")
    town_ = f.MunicipalityFactory(region=region, code="T1")
    user = f.UserFactory(email="root-rt@example.org", is_superuser=True, is_staff=True)
    for n in range(2):
        org = f.OrganizationFactory(municipality=town_, tax_id=f"770000000{n}")
        venue = f.VenueFactory(organization=org, name=f"Корпус {n}")
        programme = f.ProgrammeFactory(organization=org, code=f"P{n}")
        for g in range(2):
            group = f.GroupFactory(programme=programme, name=f"Группа {g}", venue=venue, capacity=50)
            f.ScheduleSlotFactory(group=group, weekday=1 + g)
            f.ScheduleSlotFactory(group=group, weekday=4, starts_at=dt.time(10), ends_at=dt.time(11, 15))
        f.EmploymentFactory(teacher=f.TeacherFactory(personal_id=None), organization=org,
                            start_date=dt.date(2021, 9, 1))
    f.PopulationFactory(municipality=town_, year=2025, age=7, count=1234)
    keys = [(o.tax_id, "P" + o.tax_id[-1], f"Группа {g}") for o in Organization.objects.all() for g in range(2)]
    rows = list(child_rows(40, groups=keys, municipality="T1", start=START))
    rows[5][5] = rows[5][6] = ""  # a child without an identifier
    run_import(user, xlsx_file(CHILD_HEADER, rows))
    before = _export_all(user)
    assert len(before["children"][1]) == 40 and len(before["groups"][1]) == 4

    # raw deletes: no cascade collection over other apps' tables (the database itself is the judge)
    for model in (Enrollment, ChildCategory, GuardianLink, Guardian, Child, ScheduleSlot, Group, Employment, Teacher,
                  Programme, Venue, Organization, Population):
        model.objects.all()._raw_delete(model.objects.db)

    for key in ORDER:
        columns, exported = before[key]
        job = run_import(user, xlsx_bytes(columns, exported), registry=key)
        assert job.result["refused"] == 0, (key, errors_read(job.pk))
    assert _export_all(user) == before


def test_a_child_registered_without_identifier_gets_it_from_a_later_file(town):
    rows = table(town, 3)
    without = [list(r) for r in rows]
    for r in without:
        r[5] = r[6] = ""  # registered first without ИИН
    first = run_import(town.municipal_admin, xlsx_file(CHILD_HEADER, without))
    assert first.result["created"] == 3
    assert set(Child.objects.filter(surname__in=[r[0] for r in rows]).values_list("national_id", flat=True)) == {""}

    # the same children by name and birth date, now with their ИИН: found by name, updated, not registered twice
    again = run_import(town.municipal_admin, xlsx_file(CHILD_HEADER, rows))
    assert (again.result["created"], again.result["updated"], again.result["refused"]) == (0, 3, 0), \
        errors_read(again.pk)
    children = Child.objects.filter(surname__in=[r[0] for r in rows], birth_date__in=[r[3] for r in rows])
    assert sorted(children.values_list("national_id", flat=True)) == sorted(r[6] for r in rows)
    assert Enrollment.objects.filter(child__in=children).count() == 3


def test_forked_reader_hands_over_items_and_errors_in_order(settings):
    from kruzhok.interchange.importer import ReaderFailed, read_in_process
    from kruzhok.interchange.reading import CellError

    assert list(read_in_process(iter(range(1234)), language="ru", chunk=100, depth=2)) == list(range(1234))

    def failing():
        yield from range(250)
        raise CellError("плохая ячейка")

    got = []
    with pytest.raises(CellError, match="плохая ячейка"):
        for item in read_in_process(failing(), language="ru", chunk=100):
            got.append(item)
    assert got == list(range(200))  # the chunks before the error, then the error itself

    class Unpicklable(Exception):
        def __reduce__(self):
            raise TypeError("not picklable")

    def unpicklable():
        yield 1
        raise Unpicklable("x")

    with pytest.raises(ReaderFailed, match="Unpicklable: x"):
        list(read_in_process(unpicklable(), language="ru"))

    # closed early: the reading process is stopped, not left behind
    import multiprocessing

    items = read_in_process(iter(range(10 ** 7)), language="ru", chunk=10, depth=1)
    assert next(items) == 0
    items.close()
    assert multiprocessing.active_children() == []
