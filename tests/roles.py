"""The role matrix's shared facts: every role of the `world` fixture and which employers each sees.

`own` is gestor1's employer, `colleague` gestor2's (same branch), `elsewhere` another branch's.
"""

ALL_ROLES = [
    "admin",
    "jefe",
    "jefe_sucursal",
    "gestor1",
    "gestor2",
    "callcenter",
    "juridico",
    "atencion",
    "otras",
    "sin_rol",
]

VISIBLE = {
    "admin": {"own", "colleague", "elsewhere"},
    "jefe": {"own", "colleague", "elsewhere"},
    "jefe_sucursal": {"own", "colleague"},
    "gestor1": {"own"},
    "gestor2": {"colleague"},
    "callcenter": {"own", "colleague", "elsewhere"},
    "juridico": {"own", "colleague", "elsewhere"},
    "atencion": {"own", "colleague", "elsewhere"},
    "otras": {"own", "colleague", "elsewhere"},
    "sin_rol": set(),
}

HEADS = {"admin", "jefe", "jefe_sucursal"}
COLLECTORS = {"gestor1", "gestor2"}
# Who may change a case's state by hand (issue 9): the portfolio's collector and the heads.
CASE_STATE_CHANGERS = COLLECTORS | HEADS

# Account hygiene (issue 13): who opens the findings and the requests' pages (plus the users of the
# three areas, created by tests/hygiene/conftest.py), and who reads its reports.
HYGIENE_PAGES = HEADS | COLLECTORS | {"afiliacion", "contabilidad", "inspeccion"}
HYGIENE_REPORTS = HEADS

# Service desk (issue 12): who works the desk pages, who sees the overdue list, who issues solvency
# certificates (the desk and the employer's collector, within what each one sees).
DESK = HEADS | {"atencion"}
DESK_OVERDUE = HEADS
SOLVENCY_ISSUERS = DESK | COLLECTORS
# Who works a case file fully (issue 14): letters (single, e-mailed, batch), opening a case, uploading
# documents. Not the call center, which records calls only on the cases of its list.
CASE_OWNERS = COLLECTORS | HEADS
LETTER_WRITERS = CASE_OWNERS
CASE_OPENERS = CASE_OWNERS | {"juridico"}
DOCUMENT_WRITERS = CASE_OWNERS | {"juridico"}
# Who records collection actions on a case it sees (the call center: only on its list).
ACTION_RECORDERS = CASE_OWNERS | {"callcenter"}
# Who adds, corrects and retires the contacts of the employers it sees.
CONTACT_EDITORS = CASE_OWNERS

# Publication list (issue 11): heads (and the admin) see the candidates and reports; the lists and
# their history also the legal unit. Preparing, notifying and approving: department and branch heads.
PUBLICATION_PAGES = HEADS
PUBLICATION_READERS = HEADS | {"juridico"}

# Judicial referral (issue 11): the legal unit's work page and the referral reports are the legal
# unit's and the heads'; a collector sees its employers' referrals on the case file only.
LEGAL_PAGES = HEADS | {"juridico"}
