"""Create the built-in contexts Inbound and Outbound."""

from django.db import migrations

BUILTIN = [
    ("Inbound", "inbound", "All inbound topics"),
    ("Outbound", "outbound", "All outbound topic prefixes"),
]


def create_builtin_contexts(apps, schema_editor):
    Context = apps.get_model("callcenter", "Context")
    for name, kind, description in BUILTIN:
        Context.objects.update_or_create(
            kind=kind, defaults={"name": name, "description": description}
        )


def remove_builtin_contexts(apps, schema_editor):
    Context = apps.get_model("callcenter", "Context")
    Context.objects.filter(kind__in=[kind for _, kind, _ in BUILTIN]).delete()


class Migration(migrations.Migration):
    dependencies = [("callcenter", "0001_initial")]

    operations = [migrations.RunPython(create_builtin_contexts, remove_builtin_contexts)]
