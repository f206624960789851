"""Spanish labels of the ledger's limitation (prescripción) events (collected by
``common.audit_display``; the ledger's older labels live there)."""

LABELS = {
    "ledger.limitation_restarted": "Prescripción interrumpida",
    "ledger.periods_prescribed": "Períodos marcados como prescritos",
    "ledger.limitation_check": "Revisión de prescripciones",
}
FIELDS = {
    "ledger.limitation_restarted:cause": "Causa",
    "ledger.limitation_restarted:restarted_on": "Interrumpida el",
    "ledger.limitation_restarted:reference": "Referencia",
    "ledger.limitation_restarted:periods": "Períodos interrumpidos",
    "ledger.limitation_restarted:not_revived": "Ya prescritos (no se reviven)",
    "ledger.limitation_restarted:revoked": "Marca de prescrito anulada",
    "ledger.periods_prescribed:periods": "Períodos prescritos",
    "ledger.periods_prescribed:limitation_dates": "Fechas de prescripción",
    "ledger.periods_prescribed:as_of": "Revisión al",
    "ledger.limitation_check:as_of": "Revisión al",
    "ledger.limitation_check:candidates": "Patronos revisados",
    "ledger.limitation_check:marked": "Períodos marcados",
    "ledger.limitation_check:already": "Ya marcados",
    # closing a case as prescribed (cases.services.cases) records the periods and their dates
    "case.transition:prescribed_periods": "Períodos prescritos",
    "case.transition:limitation_dates": "Fechas de prescripción",
}
NOUNS = {
    "ledger.limitationrestart": "interrupción de la prescripción",
    "ledger.prescribedperiod": "períodos prescritos",
}
