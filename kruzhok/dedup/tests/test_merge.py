"""Merge and unmerge: every row moves to the survivor in one transaction, conflicts are shown and resolved by a
person, and the unmerge gives back the database exactly as it was (compared as dumps of the affected tables)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.core.errors import DomainError
from kruzhok.core.models import AuditLog
from kruzhok.dedup.models import Candidate, CandidateStatus, MergeRecord
from kruzhok.dedup.services import MergeConflictError, child_merge, child_unmerge, merge_conflicts
from kruzhok.enrollment.models import Application, ApplicationStatus, Enrollment, EnrollmentStatus
from kruzhok.events.models import EventParticipant, EventResult
from kruzhok.people.models import Child, ChildCategory, Consent, GuardianLink

TABLES = (Child, Enrollment, Application, EventParticipant, EventResult, ChildCategory, GuardianLink, Consent, Group)


def dump() -> dict:
    out = {}
    for model in TABLES:
        out[model._meta.label] = {
            obj.pk: {f.attname: f.value_from_object(obj) for f in model._meta.concrete_fields}
            for obj in model._default_manager.order_by("pk")}
    return out


@pytest.fixture
def twin_records(world):
    """``world.child`` registered again by another organization: its own enrollment, application, event result,
    category, consent and the same guardian (a duplicate link)."""
    w = world
    dup = f.ChildFactory(municipality=w.a2, surname=w.child.surname, name="Ivan", patronymic="",
                         birth_date=w.child.birth_date, phone="+77015550000")
    f.EnrollmentFactory(child=dup, group=w.other_group)
    f.ApplicationFactory(child=dup, group=w.far_group)
    participant = f.EventParticipantFactory(event=w.event, child=dup, organization=w.other_org)
    f.EventResultFactory(participant=participant)
    f.ChildCategoryFactory(child=dup, kind=ChildCategory.Kind.GIFTED)
    f.ConsentFactory(child=dup)
    f.GuardianLinkFactory(guardian=w.guardian, child=dup)  # the same mother linked it again
    f.GuardianLinkFactory(child=dup, relation=GuardianLink.Relation.FATHER)  # and the father
    candidate = Candidate.objects.create(child_a=w.child, child_b=dup, municipality=w.a1, match_weight=12.5,
                                         match_probability=0.999)
    return dup, candidate


def test_merge_moves_every_row_and_unmerge_restores_exactly(world, twin_records):
    dup, candidate = twin_records
    before = dump()
    record = child_merge(survivor=world.child, absorbed=dup, actor=world.municipal_admin, candidate=candidate,
                         chosen={"phone": "absorbed", "municipality": "absorbed"})
    dup.refresh_from_db()
    world.child.refresh_from_db()
    assert dup.merged_into == world.child
    assert world.child.phone == "+77015550000" and world.child.municipality == world.a2
    assert not Enrollment.objects.filter(child=dup).exists()
    assert Enrollment.objects.filter(child=world.child).count() == 2
    assert Application.objects.filter(child=world.child, group=world.far_group).exists()
    assert EventParticipant.objects.filter(child=world.child, organization=world.other_org).exists()
    assert set(ChildCategory.objects.filter(child=world.child).values_list("kind", flat=True)) == {"ovz", "gifted"}
    assert GuardianLink.objects.filter(child=world.child, guardian=world.guardian).count() == 1
    assert GuardianLink.objects.filter(child=world.child).count() == 2  # mother once, and the father
    assert Consent.objects.filter(child=dup).count() == 0
    assert Child.objects.unmerged().filter(pk=dup.pk).count() == 0
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.MERGED
    audit = AuditLog.objects.get(action="child.merge")
    assert audit.actor == world.municipal_admin and audit.data["match_weight"] == 12.5
    assert audit.data["absorbed"] == dup.pk

    child_unmerge(record=record, actor=world.municipal_admin)
    after = dump()
    assert after == before
    record.refresh_from_db()
    assert record.unmerged_at is not None and record.unmerged_by == world.municipal_admin
    assert AuditLog.objects.filter(action="child.unmerge").count() == 1


def test_conflicts_are_shown_and_must_be_resolved(world):
    w = world
    dup = f.ChildFactory(municipality=w.a1, surname=w.child.surname, name=w.child.name)
    f.EnrollmentFactory(child=dup, group=w.group)  # active in the same group as world.child
    f.ApplicationFactory(child=dup, group=w.group)  # open, like sibling's... and world.child's below
    f.ApplicationFactory(child=w.child, group=w.group)
    conflicts = merge_conflicts(survivor=w.child, absorbed=dup)
    assert {c.constraint for c in conflicts} == {"enrollment_one_active_per_group", "application_one_open_per_group"}
    before = dump()
    with pytest.raises(MergeConflictError) as error:
        child_merge(survivor=w.child, absorbed=dup, actor=w.municipal_admin)
    assert {c.key for c in error.value.conflicts} == {c.key for c in conflicts}
    assert dump() == before  # nothing changed, nothing dropped

    enrollment_conflict = next(c for c in conflicts if c.model == "enrollment.enrollment")
    application_conflict = next(c for c in conflicts if c.model == "enrollment.application")
    record = child_merge(survivor=w.child, absorbed=dup, actor=w.municipal_admin, resolutions={
        enrollment_conflict.key: "absorbed", application_conflict.key: "survivor"})
    kept = Enrollment.objects.get(pk=enrollment_conflict.absorbed_row.pk)
    ended = Enrollment.objects.get(pk=enrollment_conflict.survivor_row.pk)
    assert kept.child == w.child and kept.status == EnrollmentStatus.ACTIVE
    assert ended.status == EnrollmentStatus.COMPLETED and ended.end_date is not None
    assert Application.objects.get(pk=application_conflict.absorbed_row.pk).status == ApplicationStatus.WITHDRAWN
    assert Enrollment.objects.filter(child=w.child, group=w.group, status="active").count() == 1
    child_unmerge(record=record, actor=w.municipal_admin)
    assert dump() == before


def test_national_id_moves_to_the_survivor_and_back(world):
    w = world
    dup = f.ChildFactory(municipality=w.a1, surname=w.child.surname, national_id_kind="snils",
                         national_id="112-233-445 95")
    before = dump()
    record = child_merge(survivor=w.child, absorbed=dup, actor=w.regional_admin,
                         chosen={"national_id": "absorbed", "national_id_kind": "absorbed"})
    w.child.refresh_from_db()
    assert w.child.national_id == "112-233-445 95"
    child_unmerge(record=record, actor=w.regional_admin)
    assert dump() == before


def test_chain_of_merges_unmerges_in_order(world):
    w = world
    second = f.ChildFactory(municipality=w.a1, surname=w.child.surname)
    third = f.ChildFactory(municipality=w.a1, surname=w.child.surname)
    before = dump()
    first_merge = child_merge(survivor=second, absorbed=third, actor=w.municipal_admin)
    second_merge = child_merge(survivor=w.child, absorbed=second, actor=w.municipal_admin)
    third.refresh_from_db()
    assert third.merged_into == w.child  # follows its survivor
    with pytest.raises(DomainError):
        child_unmerge(record=first_merge, actor=w.municipal_admin)
    child_unmerge(record=second_merge, actor=w.municipal_admin)
    child_unmerge(record=first_merge, actor=w.municipal_admin)
    assert dump() == before
    assert MergeRecord.objects.filter(unmerged_at__isnull=True).count() == 0


def test_merge_refuses_a_merged_record(world):
    w = world
    dup = f.ChildFactory(municipality=w.a1)
    child_merge(survivor=w.child, absorbed=dup, actor=w.municipal_admin)
    with pytest.raises(DomainError):
        child_merge(survivor=w.sibling, absorbed=dup, actor=w.municipal_admin)


def test_model_to_dict_of_merged_child_keeps_its_data(world):
    """The absorbed record is not deleted: its own values stay readable beside merged_into."""
    w = world
    dup = f.ChildFactory(municipality=w.a1, name="Иванко", birth_date=dt.date(2015, 3, 15))
    child_merge(survivor=w.child, absorbed=dup, actor=w.municipal_admin)
    dup.refresh_from_db()
    assert model_to_dict(dup)["name"] == "Иванко" and dup.merged_into_id == w.child.pk
