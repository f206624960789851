"""Spanish labels of the hygiene app's audit events (collected by ``common.audit_display``)."""

LABELS = {
    "hygiene.scanned": "Revisión de depuración de la cartera",
    "hygiene.request_created": "Solicitud de depuración enviada",
    "hygiene.request_resolved": "Solicitud de depuración resuelta",
    "hygiene.request_rejected": "Solicitud de depuración rechazada",
    "hygiene.area_member_set": "Usuario asignado a un área",
}
FIELDS = {
    "subject": "Asunto",
    "hygiene.scanned:found": "Hallazgos detectados",
    "hygiene.scanned:new": "Hallazgos nuevos",
    "hygiene.scanned:reopened": "Hallazgos reabiertos",
    "hygiene.scanned:gone": "Hallazgos que ya no se detectan",
    "hygiene.scanned:requests_created": "Solicitudes automáticas",
    "hygiene.scanned:employers": "Patronos revisados",
    "hygiene.scanned:as_of": "Fecha de corte",
}
NOUNS = {"hygiene.cleanuprequest": "solicitud de depuración", "hygiene.scanrun": "revisión de depuración"}
