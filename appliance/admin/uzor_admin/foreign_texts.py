"""Texts of Django and django-simple-history that their Russian catalogs lack or word so that
the Russian admin reads badly ("Группа … был успешно добавлен", "с таким Номер агента").

Our catalog comes first in LOCALE_PATHS, so its translations of these msgids win; they are
marked here so that ``make admin-messages`` keeps them. Nothing imports this module.

The catalog also ends with plural entries whose msgids are the Russian model names ("юнит АТС"
/ "юниты АТС"): Django counts objects with ``model_ngettext``, which looks up the names already
translated. ``make admin-messages`` would drop them; the catalog is maintained by hand.
"""

from django.utils.translation import gettext_noop

TEXTS = (
    gettext_noop("Changes"),
    gettext_noop("None"),
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(model_name)s with this %(field_label)s already exists."),
    gettext_noop("%(model_name)s with this %(field_labels)s already exists."),
)
