"""Form widgets written in Python, the same HTML as Django's own: its widget templates cost a template and an
include per field (and a ``<select>`` one per option), on pages that show a whole filter form every time — the
catalog's search and the monitoring dashboard's filters."""

from __future__ import annotations

from html import escape as esc

from django import forms
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """HTML attributes as Django's ``attrs.html`` writes them: ``True`` bare, ``False`` and None left out."""
    return "".join(f" {esc(name)}" if value is True else f' {esc(name)}="{esc(str(value))}"'
                   for name, value in attrs.items() if value is not False and value is not None)


def _input(input_type: str, name: str, value, attrs: dict) -> str:
    """``<input>`` as Django's ``input.html`` writes it (value left out when None)."""
    value = f' value="{esc(str(value))}"' if value is not None else ""
    return mark_safe(f'<input type="{esc(input_type)}" name="{esc(name)}"{value}{_attrs(attrs)}>')  # escaped


class QuickInput:
    """A widget of the catalog form written in Python: Django's widget templates cost a template and an include
    per field, on a page that shows the whole form every time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        return _input(widget["type"], name, widget["value"], widget["attrs"])


class QuickTextInput(QuickInput, forms.TextInput):
    pass


class QuickNumberInput(QuickInput, forms.NumberInput):
    pass


class QuickDateInput(QuickInput, forms.DateInput):
    pass


class QuickTimeInput(QuickInput, forms.TimeInput):
    pass


class QuickHiddenInput(QuickInput, forms.HiddenInput):
    pass


class QuickCheckboxInput(QuickInput, forms.CheckboxInput):
    pass


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes, each in its ``<label>``, in a ``<div>`` with the field's id."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = "".join(
            f'<div><label{_attrs({"for": option["attrs"].get("id")})}>'
            f'{_input("checkbox", option["name"], option["value"], option["attrs"])} {esc(str(option["label"]))}'
            "</label></div>" for _group, group_options, _index in widget["optgroups"] for option in group_options)
        return mark_safe(f'<div{_attrs({"id": widget["attrs"].get("id")})}>{options}</div>')  # escaped


class QuickSelect(forms.Select):
    """A ``<select>`` written in Python: a list of hundreds of settlements costs no template per option (and
    :func:`html.escape` rather than ``format_html``, which checks every value for a lazy string)."""

    def render(self, name, value, attrs=None, renderer=None):
        values = value if isinstance(value, list | tuple) else [value]
        chosen = {str(v) for v in values if v not in (None, "")}
        options = "".join(f'<option value="{esc(str(choice))}"{" selected" if str(choice) in chosen else ""}>'
                          f"{esc(str(label))}</option>" for choice, label in self.choices)
        return mark_safe(f'<select name="{esc(name)}"{_attrs(self.build_attrs(self.attrs, attrs))}>'  # escaped
                         f"{options}</select>")
