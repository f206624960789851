"""Default outcomes of collection actions and the default texts of the three notices.

Both lists are then maintained by the administrator (admin site); re-running never overwrites an
edited row.
"""

from django.db import migrations

OUTCOMES = [
    # (name, counts as contact)
    ("Contactado, promete pagar", True),
    ("Solicita convenio", True),
    ("Contactado, solicita estado de cuenta", True),
    ("Contactado, afirma haber pagado", True),
    ("Contactado, presentará reclamo", True),
    ("Se niega a pagar", True),
    ("No contesta", False),
    ("Número equivocado", False),
    ("Buzón de voz, se dejó mensaje", False),
    ("Carta entregada", True),
    ("Carta devuelta, dirección incorrecta", False),
    ("Correo enviado", False),
    ("Correo rebotado", False),
    ("Visita: patrono atendió", True),
    ("Visita: establecimiento cerrado", False),
    ("Reunión realizada", True),
]

FIRST = """Señor(a) {representante_legal}
{razon_social}
{direccion}

Por este medio le informamos que, según los registros del Instituto Salvadoreño del Seguro Social, el patrono {razon_social}, número patronal {numero_patronal}, presenta cotizaciones pendientes de pago por un total de {saldo_total} al {fecha_corte}, correspondientes a {periodos_en_mora} período(s), el más antiguo de {periodo_mas_antiguo}.

Las cotizaciones descontadas a los trabajadores garantizan su cobertura de salud; su falta de pago genera recargos por mora conforme al Reglamento para la Aplicación del Régimen del Seguro Social.

Le invitamos a cancelar el saldo o a acercarse a nuestras oficinas dentro de los próximos {plazo_dias} días hábiles para revisar su estado de cuenta o solicitar un convenio de pago. Si ya efectuó el pago, le rogamos hacer caso omiso de este aviso y presentarnos el comprobante."""

SECOND = """Señor(a) {representante_legal}
{razon_social}
{direccion}

Con fecha anterior se le notificó la mora del patrono {razon_social}, número patronal {numero_patronal}. A la fecha no hemos recibido el pago ni una propuesta de convenio. El saldo pendiente al {fecha_corte} asciende a {saldo_total} ({periodos_en_mora} período(s) en mora).

Le requerimos regularizar su situación dentro de los próximos {plazo_dias} días hábiles, mediante el pago total o la suscripción de un convenio de pago. Los recargos continúan aumentando cada mes de atraso.

Para cualquier consulta, comuníquese con su gestor de cobros, {gestor}, citando el expediente {expediente}."""

FINAL = """Señor(a) {representante_legal}
{razon_social}
{direccion}

AVISO FINAL. Pese a los avisos anteriores, el patrono {razon_social}, número patronal {numero_patronal}, mantiene una deuda con el Instituto de {saldo_total} al {fecha_corte}.

Si dentro de los próximos {plazo_dias} días hábiles no cancela la deuda o no suscribe un convenio de pago, el expediente {expediente} será remitido a la Unidad Jurídica para su cobro por la vía judicial, con base en la certificación de mora patronal (art. 36 de la Ley del Seguro Social), sin más aviso.

Este aviso no requiere respuesta si el pago ya fue efectuado; en ese caso, presente el comprobante en cualquiera de nuestras oficinas."""

LETTERS = [
    ("first_notice", "Primer aviso de cobro de cotizaciones en mora — expediente {expediente}", FIRST, 10),
    ("second_notice", "Segundo aviso de cobro — expediente {expediente}", SECOND, 10),
    ("final_notice", "Aviso final previo a cobro judicial — expediente {expediente}", FINAL, 5),
]


def seed(apps, schema_editor):
    ActionOutcome = apps.get_model("cases", "ActionOutcome")
    LetterTemplate = apps.get_model("cases", "LetterTemplate")
    for order, (name, is_contact) in enumerate(OUTCOMES, start=1):
        ActionOutcome.objects.get_or_create(name=name, defaults={"is_contact": is_contact, "order": order * 10})
    for letter_type, subject, body, days in LETTERS:
        LetterTemplate.objects.get_or_create(
            letter_type=letter_type, defaults={"subject": subject, "body": body, "reply_days": days}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
