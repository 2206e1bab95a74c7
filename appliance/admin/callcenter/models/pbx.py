"""PBX units: the Asterisk servers that Apply Dialplan configures and the agency watches."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..license_status import enable_refusal, pbx_unit_limit
from ..validators import validate_ami_certificate, validate_host, validate_latin_name
from .base import ValidatedModel


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8 or localhost: AMI to it never leaves the host."""
    return host == "localhost" or host.startswith("127.")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class PbxUnit(ValidatedModel):
    """An Asterisk server. Its token (stored hashed) lets uzor-confgen fetch its configuration."""

    name = models.CharField(
        _("name"),
        max_length=80,
        unique=True,
        validators=[validate_latin_name],
        help_text=_("Unique; Latin letters, digits, '_' and '-'."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    address = models.CharField(
        _("address"),
        max_length=253,
        validators=[validate_host],
        help_text=_("Host name or IP address of the Asterisk server (for AMI)."),
    )
    ami_port = models.PositiveIntegerField(
        _("AMI port"), default=5038, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    ami_user = models.CharField(_("AMI user"), max_length=80)
    ami_secret = models.CharField(
        _("AMI secret"),
        max_length=128,
        help_text=_("The secret of the AMI user in the unit's manager.conf."),
    )
    agency_ami_user = models.CharField(
        _("agency's AMI user"),
        max_length=80,
        blank=True,
        help_text=_(
            "The AMI user the agency controls calls with (uzor-agency); empty: the agency "
            "uses the admin's AMI user (units set up before separate users)."
        ),
    )
    agency_ami_secret = models.CharField(
        _("agency's AMI secret"),
        max_length=128,
        blank=True,
        help_text=_("The secret of the agency's AMI user in the unit's manager.d/uzor.conf."),
    )
    ami_tls_certificate = models.TextField(
        _("AMI certificate"),
        blank=True,
        validators=[validate_ami_certificate],
        help_text=_(
            "The unit's AMI certificate (PEM) that uzor-pbx-setup made: the admin and the agency "
            "then talk AMI over TLS and trust only this certificate (AMI port 5039). Empty: "
            "plain TCP, for a unit on this host (loopback) only."
        ),
    )
    sip_address = models.CharField(
        _("SIP address"),
        max_length=260,
        blank=True,
        help_text=_("host[:port] where gateways and phones reach the unit's SIP."),
    )
    ws_address = models.CharField(
        _("WebSocket address"),
        max_length=500,
        blank=True,
        help_text=_("SIP over WebSocket URL for the webagent, e.g. wss://uzor.example/sip."),
    )
    enabled = models.BooleanField(
        _("enabled"), default=True, help_text=_("Apply Dialplan configures enabled units only.")
    )
    token_hash = models.CharField(_("token hash"), max_length=64, blank=True, editable=False)
    applied_revision = models.PositiveIntegerField(
        _("applied revision"), null=True, blank=True, editable=False
    )
    last_apply_at = models.DateTimeField(
        _("last applied at"), null=True, blank=True, editable=False
    )
    last_apply_ok = models.BooleanField(_("last apply succeeded"), null=True, editable=False)
    last_apply_message = models.TextField(_("last apply result"), blank=True, editable=False)
    history = HistoricalRecords(
        excluded_fields=[
            "ami_secret",
            "agency_ami_secret",
            "token_hash",
            "applied_revision",
            "last_apply_at",
            "last_apply_ok",
            "last_apply_message",
        ]
    )

    class Meta:
        verbose_name = _("PBX unit")
        verbose_name_plural = _("PBX units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """An enabled unit must fit in the license's max_pbx_units."""
        super().clean()
        if self.agency_ami_user and not self.agency_ami_secret:
            raise ValidationError(
                {"agency_ami_secret": _("Give the secret of the agency's AMI user.")}
            )
        if not self.enabled:
            return
        limit = pbx_unit_limit()
        if limit is None:
            return
        others = PbxUnit.objects.filter(enabled=True).exclude(pk=self.pk).count()
        if others >= limit:
            raise ValidationError({"enabled": enable_refusal(limit)})

    @property
    def ami_in_clear_over_network(self) -> bool:
        """Whether AMI (its secrets, call control) would cross a network in plain TCP."""
        return not self.ami_tls_certificate.strip() and not is_loopback_host(self.address)

    def issue_token(self) -> str:
        """Generate a new token, keep only its hash, and return it (shown to the admin once)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        return token

    def check_token(self, token: str) -> bool:
        if not self.token_hash or not token:
            return False
        return hmac.compare_digest(self.token_hash, hash_token(token))
