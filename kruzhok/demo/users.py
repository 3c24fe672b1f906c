"""The demo's accounts: one per role, with known passwords, and what each of them sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db.models import Count

from kruzhok.accounts.models import Role, RoleGrant, User
from kruzhok.catalog.models import Organization, Teacher
from kruzhok.people.models import Guardian
from kruzhok.territory.models import Municipality, Region

DEMO_PASSWORD = "kruzhok-demo"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str  # a Role, or "superuser"
    title: str


SUPERUSER = "superuser"
ACCOUNTS = (
    DemoAccount("admin@example.org", SUPERUSER, "суперпользователь"),
    DemoAccount("region@example.org", Role.REGIONAL_ADMIN, "региональный администратор"),
    DemoAccount("municipality@example.org", Role.MUNICIPAL_ADMIN, "муниципальный администратор"),
    DemoAccount("neighbour@example.org", Role.MUNICIPAL_ADMIN, "муниципальный администратор (соседний округ)"),
    DemoAccount("org@example.org", Role.ORG_ADMIN, "администратор организации"),
    DemoAccount("teacher@example.org", Role.TEACHER, "педагог"),
    DemoAccount("parent@example.org", Role.PARENT, "родитель"),
)
DEMO_EMAILS = tuple(a.email for a in ACCOUNTS)


def demo_users_create(*, region: Region, municipality: Municipality, neighbour: Municipality,
                      organization: Organization, teacher: Teacher, guardian: Guardian) -> list[User]:
    """Create (or reset) the demo accounts and their role grants; one password hash serves them all."""
    password = make_password(DEMO_PASSWORD)
    people = {
        "admin@example.org": ("Администратор", "Системный", ""),
        "region@example.org": ("Ольга", "Белова", "Николаевна"),
        "municipality@example.org": ("Марина", "Соколова", "Викторовна"),
        "neighbour@example.org": ("Андрей", "Крылов", "Павлович"),
        "org@example.org": ("Елена", "Воронцова", "Сергеевна"),
        "teacher@example.org": (teacher.name, teacher.surname, teacher.patronymic),
        "parent@example.org": (guardian.name, guardian.surname, guardian.patronymic),
    }
    users = []
    for account in ACCOUNTS:
        first, last, patronymic = people[account.email]
        user, _ = User.objects.update_or_create(email=account.email, defaults={
            "first_name": first, "last_name": last, "patronymic": patronymic, "password": password,
            "is_staff": account.role != Role.PARENT, "is_superuser": account.role == SUPERUSER, "is_active": True})
        users.append(user)
    by_email = {u.email: u for u in users}
    RoleGrant.objects.filter(user__in=users).delete()
    RoleGrant.objects.bulk_create([
        RoleGrant(user=by_email["region@example.org"], role=Role.REGIONAL_ADMIN, region=region),
        RoleGrant(user=by_email["municipality@example.org"], role=Role.MUNICIPAL_ADMIN, municipality=municipality),
        RoleGrant(user=by_email["neighbour@example.org"], role=Role.MUNICIPAL_ADMIN, municipality=neighbour),
        RoleGrant(user=by_email["org@example.org"], role=Role.ORG_ADMIN, organization=organization),
        RoleGrant(user=by_email["teacher@example.org"], role=Role.TEACHER, organization=organization),
    ])
    teacher.user = by_email["teacher@example.org"]
    teacher.email = teacher.user.email
    teacher.save(update_fields=["user", "email"])
    guardian.user = by_email["parent@example.org"]
    guardian.email = guardian.user.email
    guardian.save(update_fields=["user", "email"])
    return users


def demo_logins() -> list[dict[str, str]]:
    """Each demo account present in the database: e-mail, password, role and what it sees."""
    users = {u.email: u for u in User.objects.filter(email__in=DEMO_EMAILS)}
    grants = {g.user_id: g for g in RoleGrant.objects.filter(user__in=users.values()).select_related(
        "organization", "municipality", "region")}
    found = []
    for account in ACCOUNTS:
        user = users.get(account.email)
        if user is None:
            continue
        grant = grants.get(user.pk)
        if account.role == SUPERUSER:
            sees = "всё: все регионы; администрирование — /admin/"
        elif account.role == Role.PARENT:
            children = Guardian.objects.filter(user=user).annotate(n=Count("children")).values_list("n", flat=True)
            sees = f"своих детей ({next(iter(children), 0)}), их заявки и зачисления"
        elif grant is None:
            sees = "—"
        elif account.role == Role.TEACHER:
            teacher = Teacher.objects.filter(user=user).annotate(n=Count("groups")).first()
            sees = f"свои группы ({teacher.n if teacher else 0}) в «{grant.organization}» и детей в них"
        elif account.role == Role.ORG_ADMIN:
            sees = f"организацию «{grant.organization}»: программы, группы, педагогов, заявки, зачисления"
        elif account.role == Role.MUNICIPAL_ADMIN:
            sees = (f"муниципалитет «{grant.municipality}» (организаций: "
                    f"{grant.municipality.organizations.count()}), детей-жителей, охват, мероприятия")
        else:
            sees = f"регион «{grant.region}» (муниципалитетов: {grant.region.municipalities.count()}) целиком"
        found.append({"email": account.email, "password": DEMO_PASSWORD, "role": account.title, "sees": sees})
    return found
