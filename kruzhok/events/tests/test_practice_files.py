"""Files of the bank of best practices: several per practice, checked for type and size on upload, downloaded by
whoever sees the practice (the public bank to everyone, a practice not yet in it to its admins only)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from kruzhok.accounts.tests import fixtures
from kruzhok.accounts.tests.admin_client import change_url, form_data
from kruzhok.events.files import practice_file_problem
from kruzhok.events.models import BestPractice, BestPracticeFile
from kruzhok.events.services import practice_file_delete, practice_files_add

full_world = fixtures.full_world  # the shared fixture, used by name
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
DOCX = b"PK\x03\x04" + b"\x00" * 40


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def practices(world):
    """``shared``: in the bank (public); ``draft``: identified only, seen by its organization and territory."""
    shared = BestPractice.objects.create(title="Тактическая медицина", organization=world.org, description="…",
                                         status=BestPractice.Status.IN_BANK)
    draft = BestPractice.objects.create(title="Черновик практики", organization=world.org, description="…")
    files = {}
    for practice in (shared, draft):
        files[practice.title] = practice_files_add(
            actor=world.org_admin, practice=practice, files=[upload("Программа.pdf", PDF), upload("План.docx", DOCX)],
            titles=["Программа практики"])
    return shared, draft, files


def test_type_and_size_are_checked(monkeypatch):
    with translation.override("ru"):
        assert practice_file_problem(upload("Программа.pdf", PDF)) == ""
        assert practice_file_problem(upload("заметки.txt", "Текст практики".encode())) == ""
        assert "такой тип не принимается" in practice_file_problem(upload("setup.exe", b"MZ\x90\x00"))
        assert practice_file_problem(upload("Программа.pdf", b"<html>")) == (
            "Файл «Программа.pdf» не похож на файл PDF: возможно, у него чужое расширение.")
        assert practice_file_problem(upload("пусто.docx", b"")) == "Файл «пусто.docx» пустой."
        assert practice_file_problem(upload("a.txt", b"\x00\x01binary")) == "Файл «a.txt» не похож на текст."
        monkeypatch.setattr("kruzhok.events.models.PRACTICE_FILE_MAX_BYTES", 16)
        assert "слишком большой" in practice_file_problem(upload("Программа.pdf", PDF))


def test_several_files_stored_with_their_sizes(world, practices, media):
    shared, _draft, files = practices
    first, second = files[shared.title]
    assert list(shared.files.order_by("pk")) == [first, second]
    assert (first.display_name, first.size, first.extension) == ("Программа практики", len(PDF), "PDF")
    assert (second.display_name, second.filename) == ("План.docx", "План.docx")
    assert (media / first.file.name).read_bytes() == PDF
    assert first.file.name.startswith(f"practices/{shared.pk}/")


def test_one_bad_file_refuses_the_upload(world, practices):
    shared, _draft, _files = practices
    with pytest.raises(ValidationError):
        practice_files_add(actor=world.org_admin, practice=shared,
                           files=[upload("Ещё.pdf", PDF), upload("вирус.exe", b"MZ")])
    assert shared.files.count() == 2


def test_only_the_practices_admins_add_and_delete_files(world, practices):
    shared, _draft, files = practices
    with pytest.raises(PermissionDenied):
        practice_files_add(actor=world.outsider, practice=shared, files=[upload("Чужое.pdf", PDF)])
    with pytest.raises(PermissionDenied):
        practice_file_delete(actor=world.outsider, practice_file=files[shared.title][0])
    practice_file_delete(actor=world.municipal_admin, practice_file=files[shared.title][0])
    assert shared.files.count() == 1


def _download(client, row: BestPracticeFile, practice: BestPractice | None = None) -> int:
    return client.get(reverse("events:practice_file", args=[(practice or row.practice).pk, row.pk])).status_code


def test_downloads_follow_the_practice(client, world, practices):
    shared, draft, files = practices
    public_file, draft_file = files[shared.title][0], files[draft.title][0]

    response = client.get(reverse("events:practice_file", args=[shared.pk, public_file.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert _download(client, draft_file) == 404  # not in the bank: not for visitors
    assert _download(client, public_file, practice=draft) == 404  # a file under another practice's address

    page = client.get(reverse("events:practice", args=[shared.pk])).content.decode()
    assert "Программа практики" in page and "План.docx" in page
    assert reverse("events:practice_file", args=[shared.pk, public_file.pk]) in page

    expected = {"parent": 404, "teacher": 404, "org_admin": 200, "municipal_admin": 200, "regional_admin": 200,
                "outsider": 404, "superuser": 200}
    for name, status in expected.items():
        client.force_login(getattr(world, name))
        assert (name, _download(client, draft_file)) == (name, status)
        assert (name, client.get(reverse("events:practice", args=[draft.pk])).status_code) == (name, status)
        assert _download(client, public_file) == 200  # the public bank: everyone


def test_missing_file_on_disk_is_not_found(client, world, practices, media):
    shared, _draft, files = practices
    row = files[shared.title][0]
    (media / row.file.name).unlink()
    assert _download(client, row) == 404


def test_admin_uploads_several_files_at_once(client, full_world, media):
    practice = full_world.practice
    client.force_login(full_world.org_admin)
    url = change_url(practice)
    data = form_data(client.get(url), new_files=[upload("Программа.pdf", PDF), upload("План.docx", DOCX)])
    response = client.post(url, data)
    assert response.status_code == 302
    assert sorted(row.filename for row in practice.files.all()) == ["practice.pdf", "План.docx", "Программа.pdf"]

    with translation.override("ru"):
        data = form_data(client.get(url), new_files=[upload("Ещё.pdf", PDF), upload("вирус.exe", b"MZ")])
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert "Файл «вирус.exe»: такой тип не принимается." in response.content.decode()
    assert practice.files.count() == 3


def test_admin_deletes_a_file_with_its_stored_copy(client, full_world, media, django_capture_on_commit_callbacks):
    practice = full_world.practice
    (row,) = practice_files_add(actor=full_world.org_admin, practice=practice, files=[upload("Программа.pdf", PDF)])
    assert (media / row.file.name).exists()
    client.force_login(full_world.org_admin)
    url = change_url(practice)
    page = client.get(url)
    assert reverse("events:practice_file", args=[practice.pk, row.pk]) in page.content.decode()
    (inline,) = page.context["inline_admin_formsets"]
    index = next(i for i, form in enumerate(inline.formset.forms) if form.instance.pk == row.pk)
    with django_capture_on_commit_callbacks(execute=True):  # the stored file goes once the deletion is committed
        response = client.post(url, form_data(page, **{f"{inline.formset.prefix}-{index}-DELETE": "on"}))
    assert response.status_code == 302
    assert not practice.files.filter(pk=row.pk).exists()
    assert not (media / row.file.name).exists()
