"""Groups (queues), operators (agents) with their group membership, and workplaces."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from appliance.contracts import passwords

from ..fields import MacAddressField
from ..validators import validate_agent_number, validate_digits, validate_latin_name
from .base import ValidatedModel, generate_secret
from .sounds import Sound


class Group(ValidatedModel):
    """A group of operators; an Asterisk queue."""

    class Strategy(models.TextChoices):
        RRMEMORY = "rrmemory", _("round robin with memory")
        LEASTRECENT = "leastrecent", _("least recently called")
        FEWESTCALLS = "fewestcalls", _("fewest completed calls")
        RINGALL = "ringall", _("ring all")
        RANDOM = "random", _("random")
        LINEAR = "linear", _("linear")

    name = models.CharField(
        _("name"),
        max_length=80,
        unique=True,
        validators=[validate_latin_name],
        help_text=_("Unique; Latin letters, digits, '_' and '-'."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    hold_sound = models.ForeignKey(
        Sound,
        verbose_name=_("hold sound"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Played to callers while they wait in the queue."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("Calls of a group with a higher priority are answered first (0-100)."),
    )
    answer_timeout = models.PositiveSmallIntegerField(
        _("answer timeout, s"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("After this many seconds unanswered the call goes back to the queue."),
    )
    strategy = models.CharField(
        _("ring strategy"), max_length=20, choices=Strategy.choices, default=Strategy.RRMEMORY
    )
    disposition_required = models.BooleanField(
        _("disposition required"),
        default=False,
        help_text=_(
            "The group's operators choose a disposition after every answered call before they "
            "are Ready again."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Operator(ValidatedModel):
    """An operator (agent); the agent number is the webagent login."""

    agent_number = models.CharField(
        _("agent number"),
        max_length=20,
        unique=True,
        validators=[validate_agent_number],
        help_text=_("At least three decimal digits; the operator's login in the webagent."),
    )
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    password = models.CharField(_("webagent password"), max_length=128, editable=False)
    ring_time = models.PositiveSmallIntegerField(
        _("ring time, s"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(300)],
        help_text=_("How long a call rings at the operator's workplace."),
    )
    wrapup_time = models.PositiveSmallIntegerField(
        _("wrap-up time, s"),
        default=10,
        validators=[MaxValueValidator(3600)],
        help_text=_("Post-call work time after each call before the operator is Ready again."),
    )
    record_calls = models.BooleanField(
        _("record calls"),
        default=False,
        help_text=_("Record every call this operator answers or makes, whatever the topic says."),
    )
    is_active = models.BooleanField(pgettext_lazy("operator", "active"), default=True)
    groups: models.ManyToManyField[Group, Membership] = models.ManyToManyField(
        Group,
        through="Membership",
        verbose_name=_("groups"),
        related_name="operators",
        blank=True,
    )
    history = HistoricalRecords(excluded_fields=["password"])

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["agent_number"]

    def __str__(self) -> str:
        name = self.full_name
        return f"{self.agent_number} {name}" if name else self.agent_number

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    def set_password(self, raw_password: str | None) -> None:
        """Store the webagent password in the format the agency checks (None = unusable)."""
        self.password = passwords.hash_password(raw_password)

    def check_password(self, raw_password: str) -> bool:
        return passwords.check_password(raw_password, self.password)


class Membership(ValidatedModel):
    """An operator's place in a group, with the priority (queue penalty) there."""

    operator = models.ForeignKey(
        Operator, verbose_name=_("operator"), on_delete=models.CASCADE, related_name="memberships"
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="memberships"
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("0 is the highest; operators with a lower number get calls first."),
    )

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(fields=["operator", "group"], name="uniq_operator_group")
        ]

    def __str__(self) -> str:
        return f"{self.operator.agent_number} @ {self.group.name}"


class Workplace(ValidatedModel):
    """An operator's PC: the webagent runs there and registers as a WebRTC SIP endpoint."""

    number = models.CharField(
        _("number"),
        max_length=20,
        unique=True,
        validators=[validate_digits],
        help_text=_("Unique workplace number, decimal digits."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    mac = MacAddressField(
        _("MAC address"),
        unique=True,
        help_text=_(
            "The PC's MAC address in any format (E8-03-9A-B5-E0-C9, e8:03:9a:b5:e0:c9, ...); "
            "stored as 12 lower-case hex digits."
        ),
    )
    sip_secret = models.CharField(
        _("SIP secret"), max_length=64, default=generate_secret, editable=False
    )
    history = HistoricalRecords(excluded_fields=["sip_secret"])

    class Meta:
        verbose_name = _("workplace")
        verbose_name_plural = _("workplaces")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} ({self.mac})"

    def agent_url(self, server_url: str) -> str:
        """The link that starts the webagent on this PC: <server>/agent/?host=<mac>."""
        return f"{server_url.rstrip('/')}/agent/?host={self.mac}"

    def regenerate_sip_secret(self) -> None:
        self.sip_secret = generate_secret()
