"""Users log in by e-mail; what they may see comes from their role grants (see ``scoping.py``)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Organization
from kruzhok.territory.models import Municipality, Region


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError(_("Укажите e-mail."))
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail"), unique=True)
    patronymic = models.CharField(_("отчество"), max_length=150, blank=True)
    preferred_language = models.CharField(_("язык"), max_length=5, default="ru",
                                          choices=[("ru", "Русский"), ("kk", "Қазақша"), ("en", "English")])

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ["email"]

    def __str__(self) -> str:
        full = " ".join(p for p in (self.last_name, self.first_name) if p)
        return f"{full} <{self.email}>" if full else self.email


class Role(models.TextChoices):
    PARENT = "parent", _("родитель (законный представитель)")
    TEACHER = "teacher", _("педагог")
    ORG_ADMIN = "org_admin", _("администратор организации")
    MUNICIPAL_ADMIN = "municipal_admin", _("муниципальный администратор")
    REGIONAL_ADMIN = "regional_admin", _("региональный администратор")


STAFF_ROLES = frozenset({Role.TEACHER, Role.ORG_ADMIN, Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN})


class RoleGrant(models.Model):
    """One role of one user over one scope: an organization, a municipality or a region."""

    user = models.ForeignKey(User, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices)
    organization = models.ForeignKey(Organization, verbose_name=_("организация"), null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="grants")
    municipality = models.ForeignKey(Municipality, verbose_name=_("муниципалитет"), null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="grants")
    region = models.ForeignKey(Region, verbose_name=_("регион"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="grants")

    class Meta:
        verbose_name = _("роль пользователя")
        verbose_name_plural = _("роли пользователей")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="parent", organization__isnull=True, municipality__isnull=True, region__isnull=True)
                    | Q(role__in=["teacher", "org_admin"], organization__isnull=False, municipality__isnull=True,
                        region__isnull=True)
                    | Q(role="municipal_admin", municipality__isnull=False, organization__isnull=True,
                        region__isnull=True)
                    | Q(role="regional_admin", region__isnull=False, organization__isnull=True,
                        municipality__isnull=True)
                ),
                name="grant_scope_matches_role",
                violation_error_message=_(
                    "Роль требует свою область: организацию для педагога и администратора организации, "
                    "муниципалитет для муниципального, регион для регионального администратора, "
                    "ничего — для родителя."),
            ),
        ]

    def __str__(self) -> str:
        target = self.organization or self.municipality or self.region
        return f"{self.user}: {self.get_role_display()}" + (f" — {target}" if target else "")


class ApiToken(models.Model):
    """A personal token for the JSON API (``Authorization: Bearer <token>``).

    Only the SHA-256 of the token is stored: the token itself is shown once, when it is issued
    (``accounts.api_auth.api_token_issue``), and cannot be read back. A revoked token is refused.
    """

    class Scope(models.TextChoices):
        APPLICATIONS_READ = "applications:read", _("чтение заявок")
        APPLICATIONS_WRITE = "applications:write", _("подача и отзыв заявок")

    user = models.ForeignKey(User, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("название"), max_length=100)
    key_hash = models.CharField(_("SHA-256 токена"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("начало токена"), max_length=12, editable=False,
                              help_text=_("Первые знаки токена, чтобы узнать его в списке."))
    scopes = models.JSONField(_("права"), default=list)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("последнее использование"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)

    class Meta:
        verbose_name = _("токен API")
        verbose_name_plural = _("токены API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
