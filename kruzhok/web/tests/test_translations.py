"""No user-visible string is left untranslated.

Russian is the source language (every msgid is Russian); Kazakh and English must be complete.
When a test here fails: ``make makemessages``, translate what is new in ``locale/kk`` and
``locale/en`` (and the plural forms in ``locale/ru``), then ``make compilemessages``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from kruzhok.catalog.models import Organization, Programme

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
LANGUAGES = ("ru", "kk", "en")
TARGET_LANGUAGES = ("kk", "en")
NPLURALS = {"ru": 3, "kk": 2, "en": 2}
# The same command as `make makemessages`.
MAKEMESSAGES = ["makemessages", "-l", "ru", "-l", "kk", "-l", "en",
                "--ignore=.venv", "--ignore=var", "--ignore=bench", "--no-obsolete"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def catalog(lang: str, locale_dir: Path = LOCALE_DIR) -> polib.POFile:
    return polib.pofile(str(locale_dir / lang / "LC_MESSAGES" / "django.po"))


def label(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{entry.msgid!r} ({where})"


def entry_key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def forms(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_header_declares_language_and_plural_forms(lang):
    po = catalog(lang)
    assert po.metadata["Language"] == lang
    assert f"nplurals={NPLURALS[lang]};" in po.metadata["Plural-Forms"].replace(" ", "")
    assert not po.metadata_is_fuzzy


@pytest.mark.parametrize("lang", TARGET_LANGUAGES)
def test_every_string_is_translated(lang):
    po = catalog(lang)
    untranslated = [label(e) for e in po if not e.obsolete and not all(f.strip() for f in forms(e))]
    wrong_plurals = [label(e) for e in po if e.msgid_plural and len(e.msgstr_plural) != NPLURALS[lang]]
    assert not untranslated, f"{len(untranslated)} untranslated in {lang}:\n" + "\n".join(untranslated)
    assert not wrong_plurals, f"plural entries without {NPLURALS[lang]} forms in {lang}:\n" + "\n".join(wrong_plurals)


def test_russian_plurals_have_all_three_forms():
    """Russian msgstrs may stay empty (the msgid is Russian), except plurals: 1 программа, 2 программы, 5 программ."""
    po = catalog("ru")
    incomplete = [label(e) for e in po if e.msgid_plural
                  and (len(e.msgstr_plural) != 3 or not all(f.strip() for f in forms(e)))]
    assert not incomplete, "Russian plural entries need three forms:\n" + "\n".join(incomplete)


def test_russian_singular_strings_are_their_msgid():
    """The msgid is the Russian text: a Russian msgstr can only repeat it (a different one is a stale
    guess from msgmerge, shown to Russian users instead of the msgid). To change wording, change the msgid."""
    po = catalog("ru")
    differ = [f"{label(e)} -> {e.msgstr!r}" for e in po if not e.msgid_plural and e.msgstr not in ("", e.msgid)]
    assert not differ, "Russian msgstr differs from its msgid:\n" + "\n".join(differ)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_fuzzy_or_obsolete_entries(lang):
    po = catalog(lang)
    fuzzy = [label(e) for e in po.fuzzy_entries()]
    obsolete = [label(e) for e in po.obsolete_entries()]
    assert not fuzzy, f"fuzzy entries in {lang} (check the guess, then remove the flag):\n" + "\n".join(fuzzy)
    assert not obsolete, f"obsolete entries in {lang}:\n" + "\n".join(obsolete)


@pytest.mark.parametrize("lang", TARGET_LANGUAGES)
def test_translations_keep_the_placeholders(lang):
    broken = []
    for entry in catalog(lang):
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        broken += [f"{label(entry)} -> {text!r}" for text in forms(entry)
                   if text and sorted(PLACEHOLDER.findall(text)) != expected]
    assert not broken, "placeholders differ from the msgid:\n" + "\n".join(broken)


def test_catalogs_are_up_to_date_with_the_code(tmp_path):
    """`makemessages` run on a copy of the project finds exactly the msgids the committed catalogs hold."""
    copy = tmp_path / "project"
    shutil.copytree(
        BASE_DIR, copy,
        ignore=shutil.ignore_patterns(".venv", "var", "bench", ".git", "__pycache__", "*.pyc", "*.mo",
                                      ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis", "node_modules"),
    )
    result = subprocess.run([sys.executable, "manage.py", *MAKEMESSAGES], cwd=copy, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    for lang in LANGUAGES:
        committed = {entry_key(e) for e in catalog(lang)}
        current = {entry_key(e): e for e in catalog(lang, copy / "locale")}
        missing = sorted(label(current[k]) for k in current.keys() - committed)
        stale = sorted(repr(k[1]) for k in committed - current.keys())
        assert not missing, f"{lang}: strings in the code missing from the catalog:\n" + "\n".join(missing)
        assert not stale, f"{lang}: catalog entries no longer in the code:\n" + "\n".join(stale)


def singular_use(msgid: str) -> re.Pattern[str]:
    quoted = re.escape(msgid)
    return re.compile(
        rf"""(?:\b_|\bgettext(?:_lazy|_noop)?)\(\s*(["']){quoted}\1\s*\)|\{{%\s*(?:translate|trans)\s+(["']){quoted}\2"""
    )


def test_singular_use_pattern():
    assert singular_use("организация").search('verbose_name = _("организация")')
    assert singular_use("Вход").search("{% translate 'Вход' %}")
    assert not singular_use("Готово").search('ngettext("Готово", "Готово всё", n)')


def test_no_string_is_used_both_as_singular_and_as_plural():
    """gettext files a msgid used once with ``_()`` and once with a plural under one plural entry, and the
    singular use then goes untranslated: give the plural a context (``blocktranslate context "…" count``)."""
    clashes = []
    for entry in catalog("kk"):
        if not entry.msgid_plural or entry.msgctxt:
            continue
        pattern = singular_use(entry.msgid)
        for path in {path for path, _line in entry.occurrences}:
            if pattern.search((BASE_DIR / path).read_text(encoding="utf-8")):
                clashes.append(f"{label(entry)}: singular use in {path}")
    assert not clashes, "\n".join(clashes)


@pytest.mark.parametrize("lang", TARGET_LANGUAGES)
def test_compiled_catalog_serves_every_translation(lang):
    """What Django returns at run time is the .po's msgstr: the .mo is compiled and fresh, nothing shadows it."""
    wrong = []
    with translation.override(lang):
        for entry in catalog(lang):
            if entry.msgid_plural:
                for n, expected in ((1, entry.msgstr_plural[0]), (5, entry.msgstr_plural[1])):
                    got = (translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n) if entry.msgctxt
                           else translation.ngettext(entry.msgid, entry.msgid_plural, n))
                    if got != expected:
                        wrong.append(f"{label(entry)} n={n}: {got!r} != {expected!r}")
            else:
                got = (translation.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt
                       else translation.gettext(entry.msgid))
                if got != entry.msgstr:
                    wrong.append(f"{label(entry)}: {got!r} != {entry.msgstr!r}")
    assert not wrong, "run `make compilemessages`; served translation differs:\n" + "\n".join(wrong)


def test_models_and_pages_render_in_each_language():
    seen = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            seen[lang] = (
                str(Programme._meta.verbose_name),
                str(Organization._meta.verbose_name),
                translation.gettext("Найдите кружок для ребёнка"),
            )
    assert seen["ru"] == ("программа", "организация", "Найдите кружок для ребёнка")
    assert seen["kk"] == ("бағдарлама", "ұйым", "Балаңызға үйірме табыңыз")
    assert seen["en"] == ("programme", "organization", "Find a club for your child")


@pytest.mark.parametrize(("lang", "n", "expected"), [
    ("ru", 1, "программа"), ("ru", 3, "программы"), ("ru", 5, "программ"), ("ru", 11, "программ"),
    ("ru", 21, "программа"), ("ru", 22, "программы"),
    ("kk", 1, "бағдарлама"), ("kk", 5, "бағдарлама"),
    ("en", 1, "programme"), ("en", 5, "programmes"),
])
def test_plural_forms(lang, n, expected):
    with translation.override(lang):
        assert translation.npgettext("счётчик", "программа", "программ", n) == expected


# --- templates: no bare text outside {% translate %} / {% blocktranslate %} ----------------------------

LETTER = re.compile(r"[^\W\d_]")
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "label"}
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", re.S)
BLOCK_TRANSLATION = re.compile(
    r"\{%\s*blocktrans(?:late)?\b.*?%\}.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S)
TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
TEMPLATES = sorted((BASE_DIR / "kruzhok").glob("**/templates/**/*.html"))
# File format names read the same in every language.
FORMAT_NAMES = {"XLSX", "CSV", "DOCX", "PDF", "iCal"}


class BareTextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip_depth += 1
        attrs = dict(attrs)
        visible = set(VISIBLE_ATTRIBUTES)
        if tag == "input" and (attrs.get("type") or "").lower() in ("submit", "button", "reset"):
            visible.add("value")
        for name, value in attrs.items():
            if name in visible and value and LETTER.search(value):
                self.found.append(f'<{tag} {name}="{value.strip()}">')

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip_depth:
            self.skip_depth -= 1

    def handle_data(self, data):
        if not self.skip_depth and LETTER.search(data) and data.strip() not in FORMAT_NAMES:
            self.found.append(data.strip())


def bare_text(source: str) -> list[str]:
    source = TEMPLATE_COMMENT.sub(" ", source)
    source = BLOCK_TRANSLATION.sub(" ", source)
    source = TEMPLATE_CODE.sub(" ", source)
    finder = BareTextFinder()
    finder.feed(source)
    finder.close()
    return finder.found


def test_template_checker_catches_bare_text():
    assert bare_text('<p>{% translate "Вход" %}</p><a title="{% translate \'Главная\' %}">{{ x }}</a>') == []
    assert bare_text("{% blocktranslate count counter=n %}{{ counter }} программа{% plural %}"
                     "{{ counter }} программ{% endblocktranslate %}") == []
    assert bare_text("{# заметка #}<script>let a = 'x';</script>&mdash; 2025") == []
    assert bare_text("<p>Вход</p>") == ["Вход"]
    assert bare_text('<a href="?format=xlsx">XLSX</a> <a>CSV файл</a>') == ["CSV файл"]
    assert bare_text('<input placeholder="Search">') == ['<input placeholder="Search">']
    assert bare_text('<input type="submit" value="Найти">') == ['<input value="Найти">']


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_templates_have_no_untranslated_text(template):
    found = bare_text(template.read_text(encoding="utf-8"))
    assert not found, f"text outside {{% translate %}} in {template.relative_to(BASE_DIR)}: {found}"
