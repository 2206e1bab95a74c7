"""Model fields that normalise their input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from .validators import normalize_mac


class MacAddressField(models.CharField):  # type: ignore[type-arg]  # stubs-only generic
    """Accepts a MAC address in any common format and stores 12 lower-case hex digits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = 12
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return normalize_mac(value)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        # Room for separators: "E8-03-9A-B5-E0-C9" is 17 characters before normalising.
        kwargs.setdefault("max_length", 40)
        return super().formfield(
            form_class=form_class, choices_form_class=choices_form_class, **kwargs
        )
