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
