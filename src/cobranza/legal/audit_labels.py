"""Spanish labels of the judicial referral's audit events (collected by ``common.audit_display``)."""

LABELS = {
    "legal.referral_requested": "Remisión a cobro judicial solicitada",
    "legal.referral_transition": "Cambio de estado de la remisión a cobro judicial",
    "legal.step_recorded": "Paso del proceso judicial registrado",
    "legal.package_built": "Paquete de remisión generado",
}
FIELDS = {
    "referral": "Remisión",
    "legal.referral_requested:periods": "Períodos remitidos",
    "legal.referral_requested:amount": "Monto remitido",
    "legal.referral_transition:amount": "Monto remitido",
    "legal.referral_transition:certificate": "Certificación de mora",
    "legal.package_built:package": "Paquete",
    "legal.step_recorded:step": "Paso",
    "legal.step_recorded:on": "Fecha del paso",
    "legal.step_recorded:amount": "Monto",
    "legal.step_recorded:limitation_restarted": "Reinicia la prescripción",
}
NOUNS = {"legal.referral": "remisión a cobro judicial"}
KINDS = {
    "legal.step_recorded:step": "choices:legal.referralstep.kind",
    "legal.step_recorded:outcome": "choices:legal.referralstep.outcome",
    "legal.referral_requested:kind": "choices:legal.referral.kind",
}
