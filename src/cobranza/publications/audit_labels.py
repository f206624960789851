"""Spanish labels of the publication app's audit events (collected by ``common.audit_display``)."""

LABELS = {
    "publication.prepared": "Lista de publicación preparada",
    "publication.notified": "Avisos previos de publicación emitidos",
    "publication.reply_recorded": "Respuesta al aviso previo registrada",
    "publication.frozen": "Lista de publicación aprobada y congelada",
    "publication.cancelled": "Lista de publicación anulada",
    "publication.regularized": "Patrono publicado regularizado",
}
FIELDS = {
    "reply": "Respuesta",
    "reply_on": "Fecha de la respuesta",
    "reply_note": "Nota de la respuesta",
    "regularization": "Regularización",
    "regularized_on": "Regularizado el",
    "publication.prepared:employers": "Patronos seleccionados",
    "publication.prepared:as_of": "Candidatos al",
}
NOUNS = {"publications.publicationlist": "lista de publicación"}
