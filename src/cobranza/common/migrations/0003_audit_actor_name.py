"""Each audit event keeps its actor's name as it was (renaming a user does not rewrite history).

Existing events get the actor's current name: the best that is known. This runs before the
append-only triggers of 0004 exist (it is the last UPDATE the audit table ever sees).
"""

from django.db import migrations, models


def fill_actor_names(apps, schema_editor):
    AuditEvent = apps.get_model("common", "AuditEvent")
    User = apps.get_model("auth", "User")
    actor_ids = AuditEvent.objects.exclude(actor=None).values_list("actor_id", flat=True).distinct()
    for user in User.objects.filter(pk__in=list(actor_ids)):
        name = (f"{user.first_name} {user.last_name}".strip() or user.username)[:300]
        AuditEvent.objects.filter(actor_id=user.pk).update(actor_name=name)


class Migration(migrations.Migration):
    dependencies = [("common", "0002_roles")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="actor_name",
            field=models.CharField(blank=True, default="", max_length=300, verbose_name="nombre del usuario"),
        ),
        migrations.RunPython(fill_actor_names, migrations.RunPython.noop),
    ]
