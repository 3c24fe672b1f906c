"""Who sees which rows of the ``full_world`` (see ``conftest.py``), worked out by hand from the roles.

Users: ``parent`` (guardian of ``child`` and ``sibling``), ``teacher`` (teaches ``group`` at ``org``, A1),
``org_admin`` (``org``), ``municipal_admin`` (A1), ``regional_admin`` (region A: A1 and A2), ``outsider``
(admin of ``far_org`` in B1) and ``superuser``. ``ALL`` means every row of the model.

Children: ``child`` (A1, enrolled in ``group``), ``sibling`` (A1, applied to ``group``), ``other_child``
(A2, enrolled in ``other_group``, applied to ``far_group``), ``far_child`` (B1, enrolled in ``far_group``),
``unrelated_child`` (A1 resident, attends nothing).
"""

from __future__ import annotations

from kruzhok.accounts.models import ApiToken, RoleGrant, User
from kruzhok.catalog import models as catalog
from kruzhok.core.models import AuditLog, Job, ScheduleRun
from kruzhok.dedup import models as dedup
from kruzhok.enrollment import models as enrollment
from kruzhok.events import models as events
from kruzhok.monitoring import models as monitoring
from kruzhok.people import models as people
from kruzhok.reports.models import GeneratedReport
from kruzhok.territory import models as territory

ALL = "ALL"
USERS = ("parent", "teacher", "org_admin", "municipal_admin", "regional_admin", "outsider", "superuser")
NONE: frozenset[str] = frozenset()


def by_organization(x: str, *, teacher: set[str] | None = None, org: set[str] | None = None) -> dict:
    """Rows owned by an organization: ``x`` at ``org`` (A1), ``other_x`` at ``other_org`` (A2), ``far_x`` (B1)."""
    own = org if org is not None else {x}
    return {
        "parent": NONE,
        "teacher": teacher if teacher is not None else NONE,
        "org_admin": own,
        "municipal_admin": own,
        "regional_admin": own | {f"other_{x}"},
        "outsider": {f"far_{x}"},
        "superuser": ALL,
    }


def public() -> dict:
    return dict.fromkeys(USERS, ALL)


def superuser_only() -> dict:
    return {**dict.fromkeys(USERS, NONE), "superuser": ALL}


READ: dict[type, dict[str, object]] = {
    territory.Region: public(),
    territory.Municipality: public(),
    territory.Settlement: public(),
    territory.Population: {**superuser_only(), "municipal_admin": {"population"},
                           "regional_admin": {"population", "other_population"}},
    catalog.Direction: public(),
    enrollment.RejectReason: public(),
    catalog.Organization: {**by_organization("org", teacher={"org"}), "regional_admin": {"org", "other_org"}},
    catalog.Venue: by_organization("venue", teacher={"venue"}),
    catalog.Programme: by_organization("programme", teacher={"programme"}),
    catalog.Group: by_organization("group", teacher={"group"}, org={"group", "untaught_group"}),
    catalog.ScheduleSlot: by_organization("slot", teacher={"slot"}),
    catalog.Teacher: {**by_organization("teacher", teacher={"teacher_profile"}, org={"teacher_profile"}),
                      "regional_admin": {"teacher_profile", "other_teacher"}},
    catalog.Employment: by_organization("employment", teacher={"employment"}),
    catalog.Course: by_organization("course", teacher={"course"}),
    catalog.Publication: by_organization("publication", teacher={"publication"}),
    catalog.TeacherAward: by_organization("award", teacher={"award"}),
    people.Child: {
        "parent": {"child", "sibling"},
        "teacher": {"child"},  # the only active pupil of the teacher's group
        "org_admin": {"child", "sibling"},  # a pupil and an applicant
        "municipal_admin": {"child", "sibling", "unrelated_child"},  # residents of A1
        "regional_admin": {"child", "sibling", "unrelated_child", "other_child"},
        "outsider": {"far_child", "other_child"},  # far_org's pupil and applicant
        "superuser": ALL,
    },
    people.ChildCategory: {
        "parent": {"category"}, "teacher": {"category"}, "org_admin": {"category"},
        "municipal_admin": {"category"}, "regional_admin": {"category"}, "outsider": {"far_category"},
        "superuser": ALL,
    },
    people.GuardianLink: {
        "parent": {"link_child", "link_sibling"}, "teacher": {"link_child"},
        "org_admin": {"link_child", "link_sibling"}, "municipal_admin": {"link_child", "link_sibling"},
        "regional_admin": {"link_child", "link_sibling", "link_other"}, "outsider": {"link_other"},
        "superuser": ALL,
    },
    people.Consent: {
        "parent": {"consent"}, "teacher": {"consent"}, "org_admin": {"consent"}, "municipal_admin": {"consent"},
        "regional_admin": {"consent", "other_consent"}, "outsider": {"far_consent", "other_consent"},
        "superuser": ALL,
    },
    people.Guardian: {
        "parent": {"guardian"}, "teacher": NONE, "org_admin": {"guardian"}, "municipal_admin": {"guardian"},
        "regional_admin": {"guardian", "other_guardian"}, "outsider": {"other_guardian"}, "superuser": ALL,
    },
    enrollment.Application: {
        "parent": {"application"}, "teacher": {"application"}, "org_admin": {"application"},
        "municipal_admin": {"application"},
        "regional_admin": {"application", "other_application"},  # other_child lives in A2
        "outsider": {"other_application"},  # made to far_group
        "superuser": ALL,
    },
    enrollment.LotteryDraw: by_organization("draw", teacher={"draw"}),
    enrollment.ApplicationStatusChange: {
        "parent": {"history"}, "teacher": {"history"}, "org_admin": {"history"}, "municipal_admin": {"history"},
        "regional_admin": {"history", "other_history"}, "outsider": {"other_history"}, "superuser": ALL,
    },
    enrollment.Enrollment: {
        "parent": {"enrollment"}, "teacher": {"enrollment"}, "org_admin": {"enrollment"},
        "municipal_admin": {"enrollment"}, "regional_admin": {"enrollment", "other_enrollment"},
        "outsider": {"far_enrollment"}, "superuser": ALL,
    },
    events.Event: by_organization("event", teacher={"event"}),
    events.EventDate: by_organization("event_date", teacher={"event_date"}),
    events.EventParticipant: by_organization("participant", teacher={"participant"}),  # the teacher mentors
    events.EventResult: by_organization("result", teacher={"result"}),
    events.Partnership: by_organization("partnership"),
    events.BestPractice: by_organization("practice"),
    events.BestPracticeFile: by_organization("practice_file"),
    events.EventRegistration: {**by_organization("registration"), "parent": {"registration"}},
    User: superuser_only(),
    RoleGrant: superuser_only(),
    ApiToken: superuser_only(),
    AuditLog: superuser_only(),
    Job: superuser_only(),
    ScheduleRun: superuser_only(),
    GeneratedReport: by_organization("report"),
    # Pairs: ``candidate`` = child ↔ unrelated_child (A1), ``far_candidate`` = other_child (A2) ↔ far_child (B1).
    dedup.Candidate: {**superuser_only(), "org_admin": {"candidate"}, "municipal_admin": {"candidate"},
                      "regional_admin": {"candidate", "far_candidate"}, "outsider": {"far_candidate"}},
    dedup.ChildKey: superuser_only(),
    # Merges: ``merge`` = child <- unrelated_child (A1), ``far_merge`` = far_child (B1) <- other_child (A2).
    dedup.MergeRecord: {**superuser_only(), "municipal_admin": {"merge"}, "regional_admin": {"merge", "far_merge"}},
    monitoring.CoverageSnapshot: superuser_only(),
    monitoring.CoverageAggregate: {**superuser_only(), "municipal_admin": {"cell"},
                                   "regional_admin": {"cell", "other_cell"}},
}

# What each user may change: the organization's admins and the territory's admins change what they
# administer; teachers only their own courses, publications and awards; parents their own family.
WRITE: dict[type, dict[str, object]] = {
    territory.Region: superuser_only(),
    territory.Municipality: {**superuser_only(), "regional_admin": {"a1", "a2"}},
    territory.Settlement: {**superuser_only(), "municipal_admin": {"settlement"},
                           "regional_admin": {"settlement", "other_settlement"}},
    territory.Population: READ[territory.Population],
    catalog.Direction: superuser_only(),
    enrollment.RejectReason: superuser_only(),
    catalog.Organization: by_organization("org"),
    catalog.Venue: by_organization("venue"),
    catalog.Programme: by_organization("programme"),
    catalog.Group: by_organization("group", org={"group", "untaught_group"}),
    catalog.ScheduleSlot: by_organization("slot"),
    catalog.Teacher: {**by_organization("teacher", org={"teacher_profile"}),
                      "regional_admin": {"teacher_profile", "other_teacher"}},
    catalog.Employment: by_organization("employment"),
    catalog.Course: READ[catalog.Course],
    catalog.Publication: READ[catalog.Publication],
    catalog.TeacherAward: READ[catalog.TeacherAward],
    people.Child: {**READ[people.Child], "teacher": NONE},
    people.ChildCategory: {**READ[people.ChildCategory], "teacher": NONE},
    people.GuardianLink: {**READ[people.GuardianLink], "teacher": NONE},
    people.Consent: {**READ[people.Consent], "teacher": NONE},
    people.Guardian: READ[people.Guardian],
    # Seen by the child's home territory, decided by the group's organization and its territory.
    enrollment.Application: {**READ[enrollment.Application], "parent": NONE, "teacher": NONE,
                             "regional_admin": {"application"}},
    enrollment.ApplicationStatusChange: superuser_only(),
    enrollment.LotteryDraw: superuser_only(),  # drawn by the service, never edited
    enrollment.Enrollment: {**READ[enrollment.Enrollment], "parent": NONE, "teacher": NONE},
    events.Event: by_organization("event"),
    events.EventDate: by_organization("event_date"),
    events.EventParticipant: by_organization("participant"),
    events.EventResult: by_organization("result"),
    events.Partnership: by_organization("partnership"),
    events.BestPractice: by_organization("practice"),
    events.BestPracticeFile: by_organization("practice_file"),
    events.EventRegistration: by_organization("registration"),  # made by the parent through the service only
    User: superuser_only(),
    RoleGrant: superuser_only(),
    ApiToken: superuser_only(),
    AuditLog: superuser_only(),
    Job: superuser_only(),
    ScheduleRun: superuser_only(),
    GeneratedReport: by_organization("report"),
    # Pairs: ``candidate`` = child ↔ unrelated_child (A1), ``far_candidate`` = other_child (A2) ↔ far_child (B1).
    dedup.Candidate: {**superuser_only(), "org_admin": {"candidate"}, "municipal_admin": {"candidate"},
                      "regional_admin": {"candidate", "far_candidate"}, "outsider": {"far_candidate"}},
    dedup.ChildKey: superuser_only(),
    dedup.MergeRecord: superuser_only(),
    monitoring.CoverageSnapshot: superuser_only(),  # written by the refresh job only
    monitoring.CoverageAggregate: superuser_only(),
}


def expected_pks(world, model: type, names: object) -> set:
    if names == ALL:
        return set(model._default_manager.values_list("pk", flat=True))
    return {getattr(world, name).pk for name in names}  # type: ignore[union-attr]


def cases(table: dict[type, dict[str, object]]) -> list:
    return [(model, user) for model, by_user in table.items() for user in USERS]


def case_id(value: object) -> str:
    return value.__name__ if isinstance(value, type) else str(value)
