"""Permission names as the admin shows them: translated, and findable by the app's label.

Django stores permission names in English ("Can add operator") and shows them untranslated. The
user and group forms here show "<section> | <model> | <action> (<app>.<codename>)" in the
admin's language instead; the code in parentheses keeps the manual's filter «callcenter» working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.db.models import ManyToManyField
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "add": _("adding"),
    "change": _("changing"),
    "delete": _("deleting"),
    "view": _("viewing"),
}


def permission_label(permission: Permission) -> str:
    content_type = permission.content_type
    model = content_type.model_class()
    action = ACTIONS.get(permission.codename.partition("_")[0])
    code = f"{content_type.app_label}.{permission.codename}"
    if model is None:
        return f"{permission} ({code})"
    section = model._meta.app_config.verbose_name
    # a model's own permission (Meta.permissions, e.g. listen_recording): its name is a msgid
    what = gettext(permission.name) if action is None else gettext(str(action))
    return f"{section} | {model._meta.verbose_name} | {what} ({code})"


class PermissionChoices(ModelMultipleChoiceField):  # type: ignore[type-arg]  # stubs-only generic
    def label_from_instance(self, obj: Any) -> str:
        return permission_label(obj)


if TYPE_CHECKING:  # what the mixin is mixed into, so its call to the admin is checked
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class TranslatedPermissions(_AdminBase):
    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionChoices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class UzorGroupAdmin(TranslatedPermissions, GroupAdmin):
    pass


class UzorUserAdmin(TranslatedPermissions, UserAdmin):  # type: ignore[type-arg]  # stubs-only generic
    pass


for model, model_admin in ((Group, UzorGroupAdmin), (User, UzorUserAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
