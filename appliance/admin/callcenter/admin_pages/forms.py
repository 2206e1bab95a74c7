"""Admin forms that need more than a ModelForm: write-only passwords and secrets."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
    NumericPasswordValidator,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import Gateway, Operator, PbxUnit, Sound
from ..validators import LATIN_NAME_RE

if TYPE_CHECKING:
    from django.contrib.auth.password_validation import PasswordValidator  # a stub-only Protocol

# A webagent password is guessed over the network (the agency limits the pace): at least 8
# characters, not all digits (so never the agent number), not one of the common passwords.
OPERATOR_PASSWORD_RULES: list[PasswordValidator] = [
    MinimumLengthValidator(min_length=8),
    CommonPasswordValidator(),
    NumericPasswordValidator(),
]


class OperatorForm(forms.ModelForm):  # type: ignore[type-arg]  # stubs-only generic
    """The webagent password is typed twice and stored hashed; empty on change = keep it."""

    password1 = forms.CharField(
        label=_("Webagent password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )
    password2 = forms.CharField(
        label=_("Webagent password (again)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Operator
        fields = [
            "agent_number",
            "last_name",
            "first_name",
            "middle_name",
            "email",
            "phone",
            "ring_time",
            "wrapup_time",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["password1"].required = True
            self.fields["password1"].help_text = _("The operator logs in to the webagent with it.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(first, password_validators=OPERATOR_PASSWORD_RULES)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned

    def _post_clean(self) -> None:
        # Hash before the model is validated, so a new operator has a password.
        if self.cleaned_data.get("password1"):
            self.instance.set_password(self.cleaned_data["password1"])
        super()._post_clean()  # type: ignore[misc]  # Django's private hook, unstubbed


class KeepSecretForm(forms.ModelForm):  # type: ignore[type-arg]  # stubs-only generic
    """Secret fields shown empty; on change, an empty value keeps the stored secret."""

    write_only_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.write_only_fields:
            field = self.fields[name]
            field.widget = forms.PasswordInput(
                render_value=False, attrs={"autocomplete": "new-password"}
            )
            if self.instance.pk is not None:
                field.required = False
                field.help_text = _("Leave empty to keep the current value.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.write_only_fields:
            if self.instance.pk is not None and not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class GatewayForm(KeepSecretForm):
    write_only_fields = ("password",)

    class Meta:
        model = Gateway
        fields = "__all__"


class PbxUnitForm(KeepSecretForm):
    write_only_fields = ("ami_secret", "agency_ami_secret")

    class Meta:
        model = PbxUnit
        fields = "__all__"


class SoundForm(forms.ModelForm):  # type: ignore[type-arg]  # stubs-only generic
    """The name may be left empty: it is then taken from the uploaded file's name."""

    class Meta:
        model = Sound
        fields = ["name", "description", "file"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _(
            "Latin letters, digits, '_' and '-'; Asterisk plays the sound by this name. "
            "Empty: the name of the uploaded file."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if not cleaned.get("name") and upload is not None and hasattr(upload, "name"):
            name = name_from_filename(upload.name)
            if name:
                cleaned["name"] = name
            else:
                self.add_error(
                    "name",
                    _("Enter a name in Latin letters: the file name %(file)s cannot be used.")
                    % {"file": upload.name},
                )
        return cleaned


def name_from_filename(filename: str) -> str:
    """'Hold Music 1.mp3' -> 'Hold_Music_1'; '' when nothing Latin is left."""
    stem = PurePath(filename).stem.strip().replace(" ", "_")
    name = re.sub(r"[^A-Za-z0-9_-]", "", stem)
    return name if LATIN_NAME_RE.match(name) else ""
