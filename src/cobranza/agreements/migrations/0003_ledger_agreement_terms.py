"""Record every agreement already signed in the ledger's own table (``ledger.AgreementTerms``), which
the statement reads from now on (issue 9: the ledger owns what a statement needs)."""

from django.db import migrations


def forward(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    Terms = apps.get_model("ledger", "AgreementTerms")
    for a in Agreement.objects.filter(signed_on__isnull=False).select_related("down_payment_payment"):
        number = f"CP-{a.pk:06d}"
        if Terms.objects.filter(number=number).exists():
            continue
        Terms.objects.create(
            employer_id=a.employer_id,
            number=number,
            drafted_on=a.as_of,
            signed_on=a.signed_on,
            lapsed_on=a.lapsed_on,
            periods=list(a.periods),
            down_payment=a.down_payment,
            down_payment_payment_id=a.down_payment_payment.payment_id if a.down_payment_payment_id else "",
            installments=[
                {
                    "number": i.number,
                    "due_date": i.due_date.isoformat(),
                    "principal": f"{i.principal:.2f}",
                    "interest": f"{i.interest:.2f}",
                }
                for i in a.installments.order_by("number")
            ],
            waives=[],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0002_draft_validity_expiry"),
        ("ledger", "0007_agreement_terms"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
