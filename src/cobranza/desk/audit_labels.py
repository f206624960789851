"""Spanish labels of the service desk's audit events (collected by ``common.audit_display``)."""

LABELS = {
    "desk.inquiry_registered": "Consulta o reclamo registrado",
    "desk.attachment_added": "Adjunto agregado a la consulta",
    "desk.inquiry_transition": "Cambio de estado de la consulta o reclamo",
    "desk.solvency_issued": "Constancia de solvencia emitida",
    "desk.solvency_refused": "Constancia de solvencia denegada",
}
FIELDS = {
    "number": "Número",
    "kind": "Tipo",
    "channel": "Canal",
    "subject": "Asunto",
    "periods": "Períodos",
    "due_on": "Fecha límite",
    "inquiry": "Consulta",
    "name": "Archivo",
    "sha256": "Huella del archivo (SHA-256)",
    "status": "Estado",
    "outcome": "Resultado",
    "standing": "Situación",
    "document": "Documento",
    "overdue_periods": "Períodos en mora",
}
NOUNS = {"desk.inquiry": "consulta", "desk.solvencyrequest": "solicitud de solvencia"}
