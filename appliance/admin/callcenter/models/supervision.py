"""The supervisors' wallboard: its permissions, and the log of every listen / whisper / barge.

``callcenter.view_wallboard`` opens the wallboard; ``callcenter.barge`` ("право вмешательства
в разговор", manual 4.2) adds listen, whisper and barge. Each use the admin allowed is one row
here, written before the agency is given the one-time permission (callcenter/wallboard.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

MODES = [
    ("listen", _("listen")),
    ("whisper", _("whisper")),
    ("barge", _("barge")),
]


class SupervisionEvent(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.CharField(_("supervisor"), max_length=150)
    agent = models.CharField(_("operator"), max_length=64)
    mode = models.CharField(_("mode"), max_length=16, choices=MODES)
    workplace = models.CharField(_("supervisor's workplace"), max_length=32)
    address = models.CharField(_("address"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("listen / whisper / barge")
        verbose_name_plural = _("listen / whisper / barge log")
        ordering = ["-at"]
        default_permissions = ("view",)
        permissions = [
            ("view_wallboard", _("Can view the wallboard")),
            ("barge", _("Can listen to, whisper into and barge into operators' calls")),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.user} {self.mode} {self.agent}"
