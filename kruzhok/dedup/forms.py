"""The quick duplicate check in the forms that add a child (the parent's cabinet, the organization's admin)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kruzhok.dedup.models import CandidateStatus
from kruzhok.dedup.selectors import QuickCheck, child_quick_check
from kruzhok.dedup.services import candidate_record
from kruzhok.people.models import Child

WARNING = gettext_lazy("Такой ребёнок, возможно, уже есть.")


class ChildAddCheckForm(forms.ModelForm):
    """The admin's form of a child: on adding, a child with the same normalized name and birth date stops the
    save with a warning — the matches the user may open are named (open that record instead), the others are
    only counted — until «it is another child» is ticked."""

    confirm_new_child = forms.BooleanField(
        label=gettext_lazy("Это другой ребёнок — всё равно добавить"), required=False)
    dedup_user: Any = None  # set per request by the admin

    def clean(self) -> dict:
        data = super().clean()
        self.dedup_check = QuickCheck(visible=[], hidden=0)
        if self.instance.pk is None and self.dedup_user is not None and not self.errors:
            check = child_quick_check(user=self.dedup_user, surname=data.get("surname", ""),
                                      name=data.get("name", ""), birth_date=data.get("birth_date"))
            self.dedup_check = check
            if check.found and not data.get("confirm_new_child"):
                raise forms.ValidationError(admin_warning(check))
        return data


def admin_warning(check: QuickCheck):
    parts = [format_html("<strong>{}</strong>", WARNING)]
    if check.visible:
        parts.append(format_html("{} {}", _("Откройте существующую запись вместо новой:"), format_html_join(
            ", ", '<a href="{}">{} ({})</a>',
            ((reverse("admin:people_child_change", args=[c.pk]), str(c), c.birth_date.strftime("%d.%m.%Y"))
             for c in check.visible))))
    if check.hidden:
        parts.append(format_html("{}", _("Похожая запись есть в другой организации: если сохраните новую, пара уйдёт "
                                         "на проверку муниципалитету.")))
    parts.append(format_html("{}", _("Если это другой ребёнок, отметьте «Это другой ребёнок» и сохраните.")))
    return format_html_join(" ", "{}", ((p,) for p in parts))


def flag_hidden_matches(*, child: Child, check: QuickCheck | None, note: str = "") -> int:
    """A child added although it matched records the user may not see: each pair goes to the territory's queue
    (flagged), so the municipality decides — the user learned nothing about those records."""
    if check is None or not check.hidden:
        return 0
    from kruzhok.dedup.selectors import quick_check_matches

    flagged = 0
    visible = {c.pk for c in check.visible}
    for other in Child.objects.filter(pk__in=quick_check_matches(surname=child.surname, name=child.name,
                                                                 birth_date=child.birth_date)):
        if other.pk == child.pk or other.pk in visible:
            continue
        if candidate_record(child_a=child, child_b=other, match_weight=0.0, match_probability=0.5,
                            status=CandidateStatus.FLAGGED,
                            note=note or _("Отмечено при добавлении ребёнка: совпали имя, фамилия и дата рождения."),
                            ) is not None:
            flagged += 1
    return flagged
