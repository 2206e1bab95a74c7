"""Contexts, gateways (SIP trunks), transformations (inbound) and routes (outbound)."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from appliance.contracts import agency_dialplan

from ..validators import (
    is_reserved_sip_name,
    validate_caller_id,
    validate_dialplan_pattern,
    validate_digits,
    validate_host,
    validate_latin_name,
    validate_number_expression,
)
from .base import ValidatedModel

INBOUND_CONTEXT = "Inbound"
OUTBOUND_CONTEXT = agency_dialplan.OUTBOUND_CONTEXT  # the agency originates into it


class Context(ValidatedModel):
    """An Asterisk dialplan context. Inbound and Outbound are built in (a data migration)."""

    class Kind(models.TextChoices):
        INBOUND = "inbound", _("built-in: all inbound topics")
        OUTBOUND = "outbound", _("built-in: all outbound topic prefixes")
        CUSTOM = "custom", _("custom")

    name = models.CharField(
        _("name"),
        max_length=80,
        unique=True,
        validators=[validate_latin_name],
        help_text=_("Unique; Latin letters, digits, '_' and '-', e.g. from-sipnet."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.CUSTOM, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("context")
        verbose_name_plural = _("contexts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.kind != self.Kind.CUSTOM

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        reserved = {INBOUND_CONTEXT.lower(), OUTBOUND_CONTEXT.lower()}
        if self.kind == self.Kind.CUSTOM and self.name.lower() in reserved:
            raise ValidationError({"name": _("This name is reserved for a built-in context.")})
        if self.is_builtin and self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("name", flat=True).first()
            if stored is not None and stored != self.name:
                raise ValidationError({"name": _("A built-in context cannot be renamed.")})

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        refuse_builtin_delete([self])
        return super().delete(*args, **kwargs)

    @classmethod
    def inbound(cls) -> Context:
        return cls.objects.get(kind=cls.Kind.INBOUND)

    @classmethod
    def outbound(cls) -> Context:
        return cls.objects.get(kind=cls.Kind.OUTBOUND)


def refuse_builtin_delete(contexts: Any) -> None:
    builtin = [c for c in contexts if c.is_builtin]
    if builtin:
        raise ProtectedError(
            str(_("The built-in contexts Inbound and Outbound cannot be deleted.")), set(builtin)
        )


class Gateway(ValidatedModel):
    """A SIP trunk to a carrier or a voice gateway."""

    class Transport(models.TextChoices):
        UDP = "udp", "UDP"
        TCP = "tcp", "TCP"

    name = models.CharField(
        _("name"),
        max_length=80,
        unique=True,
        validators=[validate_latin_name],
        help_text=_("Unique; Latin letters, digits, '_' and '-'."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    context = models.ForeignKey(
        Context,
        verbose_name=_("context"),
        on_delete=models.PROTECT,
        related_name="gateways",
        help_text=_("Calls from this gateway enter this context, e.g. from-sipnet."),
    )
    host = models.CharField(
        _("address"),
        max_length=253,
        validators=[validate_host],
        help_text=_("Domain name or IP address of the gateway."),
    )
    port = models.PositiveIntegerField(
        _("port"), default=5060, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    transport = models.CharField(
        _("transport"), max_length=3, choices=Transport.choices, default=Transport.UDP
    )
    username = models.CharField(
        _("user name"), max_length=80, blank=True, help_text=_("Only if the gateway needs it.")
    )
    auth_domain = models.CharField(
        _("domain"),
        max_length=253,
        blank=True,
        validators=[validate_host],
        help_text=_("Authentication domain (realm), if the carrier gives one."),
    )
    password = models.CharField(_("password"), max_length=128, blank=True)
    did = models.CharField(
        _("DID number"),
        max_length=32,
        blank=True,
        validators=[validate_digits],
        help_text=_("The number inbound calls through this gateway arrive on."),
    )
    history = HistoricalRecords(excluded_fields=["password"])

    class Meta:
        verbose_name = _("gateway")
        verbose_name_plural = _("gateways")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.password and not self.username:
            raise ValidationError({"username": _("A password needs a user name.")})
        if is_reserved_sip_name(self.name):
            raise ValidationError(
                {"name": _("This name is reserved on a PBX unit (%(name)s).") % {"name": self.name}}
            )


class Transformation(ValidatedModel):
    """Rewrites a number that arrives in a context, e.g. a DID -> an inbound topic number."""

    context = models.ForeignKey(
        Context,
        verbose_name=_("context"),
        on_delete=models.PROTECT,
        related_name="transformations",
        help_text=_("Where the number arrives, e.g. the gateway's context from-sipnet."),
    )
    pattern = models.CharField(
        _("pattern"),
        max_length=80,
        validators=[validate_dialplan_pattern],
        help_text=_("A number, or an Asterisk pattern such as _7495XXXXXXX."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    result = models.CharField(
        _("transformation"),
        max_length=80,
        validators=[validate_number_expression],
        help_text=_(
            "The resulting number: digits, ${EXTEN} (unchanged), ${EXTEN:n} (without the first "
            "n digits) or ${EXTEN:n:m}; e.g. an inbound topic number."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transformation")
        verbose_name_plural = _("transformations")
        ordering = ["context__name", "pattern"]
        constraints = [
            models.UniqueConstraint(fields=["context", "pattern"], name="uniq_context_pattern")
        ]

    def __str__(self) -> str:
        return f"{self.pattern} -> {self.result}"


class Route(ValidatedModel):
    """An outbound route: numbers matching the pattern go out through the gateway."""

    pattern = models.CharField(
        _("pattern"),
        max_length=80,
        validators=[validate_dialplan_pattern],
        help_text=_(
            "Asterisk pattern, e.g. _89. ('_' starts a pattern, X = any digit, Z = 1-9, "
            "N = 2-9, [1-5] = a range, '.' at the end = one or more of anything)."
        ),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    transformation = models.CharField(
        _("number transformation"),
        max_length=80,
        default="${EXTEN}",
        validators=[validate_number_expression],
        help_text=_(
            "${EXTEN} = the number unchanged; ${EXTEN:1} = without the first digit; "
            "digits before it are prepended."
        ),
    )
    caller_id = models.CharField(
        _("caller ID"),
        max_length=32,
        blank=True,
        validators=[validate_caller_id],
        help_text=_("Replaces the caller's number on calls through this route; empty = keep."),
    )
    gateway = models.ForeignKey(
        Gateway, verbose_name=_("gateway"), on_delete=models.PROTECT, related_name="routes"
    )
    order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Routes are tried from the lowest order up.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.pattern} -> {self.gateway}"
