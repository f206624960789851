"""The default checklist of documents a judicial referral needs (the administrator edits it)."""

from django.db import migrations

DEFAULTS = [
    # name, doc_types, keywords, applies, generated, order
    ("Estado de cuenta", ["statement"], "estado de cuenta", "always", True, 10),
    ("Avisos de cobro entregados", ["notice", "proof_of_delivery"], "aviso", "always", False, 20),
    ("Convenio incumplido (si aplica)", ["agreement"], "convenio", "lapsed_agreement", False, 30),
    (
        "Escritura/credencial del representante legal",
        [],
        "escritura, credencial, representante legal, poder",
        "always",
        False,
        40,
    ),
    ("Planillas de los períodos retenidos", [], "planilla", "worker_share", False, 50),
]


def forwards(apps, schema_editor):
    RequiredDocument = apps.get_model("legal", "RequiredDocument")
    for name, doc_types, keywords, applies, generated, order in DEFAULTS:
        RequiredDocument.objects.get_or_create(
            name=name,
            defaults={
                "doc_types": doc_types,
                "keywords": keywords,
                "applies": applies,
                "generated": generated,
                "order": order,
            },
        )


def backwards(apps, schema_editor):
    apps.get_model("legal", "RequiredDocument").objects.filter(name__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_referrals")]
    operations = [migrations.RunPython(forwards, backwards)]
