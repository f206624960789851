"""Writes of the cases app (ARCHITECTURE.md convention 1), split by subject:

- `cases`: case files and their state (`case_for_employer`, `case_transition` for what a person
  decides, `case_follow_agreement` for the states that follow the employer's agreement)
- `documents`: case documents (`document_store`)
- `actions`: collection actions, promises to pay and the head's review
- `letters`: notices as PDF from the administrator's templates

Other apps import from here: `from cobranza.cases.services import case_transition`.
"""

from cobranza.cases.services.actions import (
    action_record,
    action_resubmit,
    action_review,
    promises_evaluate,
)
from cobranza.cases.services.cases import (
    case_collection_started,
    case_follow_agreement,
    case_follow_referral,
    case_for_employer,
    case_open,
    case_transition,
)
from cobranza.cases.services.documents import MAX_DOCUMENT_BYTES, document_store, sniff_document
from cobranza.cases.services.letters import (
    letter_batch_create,
    letter_batch_step,
    letter_email,
    letter_generate,
)

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "action_record",
    "action_resubmit",
    "action_review",
    "case_collection_started",
    "case_follow_agreement",
    "case_follow_referral",
    "case_for_employer",
    "case_open",
    "case_transition",
    "document_store",
    "letter_batch_create",
    "letter_batch_step",
    "letter_email",
    "letter_generate",
    "promises_evaluate",
    "sniff_document",
]
