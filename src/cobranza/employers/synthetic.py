"""A deterministic, realistic synthetic portfolio in the institute's file formats (SPEC §3).

`generate_portfolio(folder, employers=N, years=Y, seed=S, today=D)` writes `employers.csv`,
`declarations.csv` and `payments.csv` into `folder`. It touches no database: `cobranza seed` loads
the files through the same import path as users' files, so demo data is validated like real data.

Same arguments → byte-identical files: one `random.Random(seed)` drives every choice, employers are
generated one after the other in a fixed order (employer k is the same whatever N is), and the CSV
writer is configured explicitly. Money is integer cents here and leaves as two-decimal strings; no
float ever reaches an amount (random draws are floats, but they only pick integers: counts, days,
salaries in cents).

What the files hold:

* Employers of the 14 departments, weighted toward San Salvador, La Libertad, Santa Ana and San
  Miguel; sectors; legal and trade names (companies, family businesses, sole proprietors,
  cooperatives, foundations); NIT `MMMM-DDMMYY-NNN-D`; 9-digit employer numbers; addresses; phones
  `NNNN-NNNN`; e-mails on `example.com` subdomains (reserved names: a demo can never write to a
  real company).
* A heavy-tailed workforce (Pareto: most employers 1–10 workers, a few hundreds, rarely thousands)
  whose salaries range from the minimum wage to well above the $1,000 ceiling; a few hires and
  departures each month, raises in January. Declared amounts follow the default policy exactly:
  salary base = Σ min(salary, ceiling), employer 7.5 %, worker 3 %, each rounded half-up to the cent.
* Payment behaviours (`BEHAVIOURS`): most employers pay on time; some pay a few periods late with
  the surcharge, overpay or pay twice (credit), or settle de-oficio payrolls after an inspection;
  the debtors pay chronically late, pay part of each period, stopped paying (some also stopped
  filing), or left de-oficio payrolls unpaid. Debtors are drawn by systematic sampling inside each
  branch, so the share in arrears is close to `DEBTOR_SHARE` in every branch and for any N. Each
  debtor owes the contribution of at least one period already past due at `today`; every other
  employer has paid the contribution of every period past due in full.

The due date is approximated by the 14th of the next month (the policy's 10th business day falls
between the 12th and about the 20th): on-time payments are made by the 12th, late ones fall well
inside a month of delay, so the months late (hence the surcharge paid) do not depend on the
approximation. Balances are the engine's job; these files only have to be believable.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from bisect import bisect
from calendar import monthrange
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# The default policy (SPEC §4), used only to build consistent amounts; the engine reads the real one.
CEILING_CENTS = 100_000
EMPLOYER_RATE_PER_MILLE = 75  # 7.5 %
WORKER_RATE_PER_MILLE = 30  # 3 %
MINIMUM_WAGE_CENTS = 36_500
FINE_PERCENT = 25
DUE_DAY = 14  # approximation of the 10th business day of the next month
ON_TIME_LAST_DAY = 12  # the 10th business day is never before the 12th
LATE_FILING_DAYS = (21, 28)  # past any 10th business day
DEBTOR_SHARE = 0.09
#: Employers are generated in blocks of this many: block 0 is driven by `random.Random(seed)`, block
#: b > 0 by its own `random.Random(f"{seed}/{b}")` and its own range of employer numbers, so blocks
#: can be generated independently (in parallel, by `cobranza seed`'s streaming path) and the data of
#: a portfolio of up to BLOCK_EMPLOYERS employers is exactly what it was before blocks existed.
BLOCK_EMPLOYERS = 10_000
#: Employer numbers of block b start after 400,000,000 + b × BLOCK_NUMBERS (each employer advances
#: the number by 1 to 40, so a block never reaches the next one's range).
BLOCK_NUMBERS = BLOCK_EMPLOYERS * 40 + 1000

EMPLOYER_COLUMNS = (
    "employer_number,nit,legal_name,trade_name,sector,branch,address,phone,email,"
    "legal_representative,status,registered_on"
).split(",")
DECLARATION_COLUMNS = (
    "employer_number,period,workers,salary_base,employer_contribution,worker_contribution,filed_on,origin"
).split(",")
PAYMENT_COLUMNS = "payment_id,employer_number,paid_on,amount,period,channel,reference".split(",")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


@dataclass(frozen=True)
class BranchSpec:
    name: str
    code: str
    weight: float
    nit_prefix: str  # municipality code of the department's capital: the first block of a NIT
    municipalities: tuple[str, ...]


BRANCHES: tuple[BranchSpec, ...] = (
    BranchSpec(
        "San Salvador",
        "san-salvador",
        38,
        "0614",
        _words("San Salvador|Soyapango|Mejicanos|Apopa|Ilopango|San Marcos|Ciudad Delgado|Ayutuxtepeque"),
    ),
    BranchSpec(
        "La Libertad",
        "la-libertad",
        15,
        "0511",
        _words("Santa Tecla|Antiguo Cuscatlán|Colón|Zaragoza|La Libertad|Quezaltepeque|San Juan Opico"),
    ),
    BranchSpec(
        "Santa Ana", "santa-ana", 9, "0210", _words("Santa Ana|Chalchuapa|Metapán|El Congo|Coatepeque")
    ),
    BranchSpec(
        "San Miguel",
        "san-miguel",
        8,
        "1217",
        _words("San Miguel|Chinameca|Ciudad Barrios|Moncagua|El Tránsito"),
    ),
    BranchSpec(
        "Sonsonate", "sonsonate", 5, "0315", _words("Sonsonate|Izalco|Acajutla|Nahuizalco|Armenia|Juayúa")
    ),
    BranchSpec(
        "Usulután",
        "usulutan",
        3.5,
        "1123",
        _words("Usulután|Jiquilisco|Santiago de María|Berlín|Santa Elena"),
    ),
    BranchSpec(
        "La Paz",
        "la-paz",
        3.5,
        "0821",
        _words("Zacatecoluca|Olocuilta|San Luis Talpa|Santiago Nonualco|El Rosario"),
    ),
    BranchSpec(
        "Chalatenango", "chalatenango", 2, "0407", _words("Chalatenango|Nueva Concepción|La Palma|Tejutla")
    ),
    BranchSpec(
        "Cuscatlán",
        "cuscatlan",
        2.5,
        "0702",
        _words("Cojutepeque|Suchitoto|San Pedro Perulapán|San Rafael Cedros"),
    ),
    BranchSpec("Ahuachapán", "ahuachapan", 2.5, "0101", _words("Ahuachapán|Atiquizaya|Tacuba|Apaneca")),
    BranchSpec("Morazán", "morazan", 1.5, "1319", _words("San Francisco Gotera|Jocoro|Perquín|Corinto")),
    BranchSpec("La Unión", "la-union", 2, "1408", _words("La Unión|Santa Rosa de Lima|Conchagua|Pasaquina")),
    BranchSpec("Cabañas", "cabanas", 1.5, "0906", _words("Sensuntepeque|Ilobasco|Victoria")),
    BranchSpec("San Vicente", "san-vicente", 2, "1010", _words("San Vicente|Tecoluca|Apastepeque")),
)


@dataclass(frozen=True)
class SectorSpec:
    code: str  # what the import derives from the name (slug)
    name: str  # written in the files
    weight: float
    median_salary_cents: int
    trades: tuple[str, ...]  # what the business is called: "Distribuidora", "Clínica Dental", …


SECTORS: tuple[SectorSpec, ...] = (
    SectorSpec(
        "comercio",
        "Comercio",
        30,
        42_000,
        _words(
            "Distribuidora|Comercial|Importadora|Ferretería|Farmacia|Librería|Almacén|Supermercado|Tienda"
            "|Zapatería|Óptica|Mueblería|Agroservicio|Repuestos"
        ),
    ),
    SectorSpec(
        "servicios",
        "Servicios",
        21,
        45_000,
        _words(
            "Servicios|Consultores|Seguridad Privada|Taller Mecánico|Lavandería|Servicios de Limpieza"
            "|Publicidad|Contact Center|Asesores Contables|Bufete Jurídico|Sala de Belleza|Agencia de Viajes"
        ),
    ),
    SectorSpec(
        "industria",
        "Industria",
        12,
        46_000,
        _words(
            "Industrias|Textiles|Confecciones|Panificadora|Plásticos|Laboratorios|Alimentos|Muebles y Maderas"
            "|Imprenta|Metalúrgica|Embotelladora|Productos Lácteos"
        ),
    ),
    SectorSpec(
        "hoteles-y-restaurantes",
        "Hoteles y restaurantes",
        8,
        38_500,
        _words("Hotel|Restaurante|Pupusería|Cafetería|Comedor|Panadería|Pastelería"),
    ),
    SectorSpec(
        "construccion",
        "Construcción",
        6,
        50_000,
        _words(
            "Constructora|Ingeniería y Construcción|Proyectos y Construcciones|Arquitectos y Constructores"
        ),
    ),
    SectorSpec(
        "agropecuario",
        "Agropecuario",
        6,
        37_500,
        _words("Finca|Beneficio de Café|Agrícola|Avícola|Ganadera|Ingenio|Vivero"),
    ),
    SectorSpec(
        "transporte",
        "Transporte",
        5,
        48_000,
        _words("Transportes|Logística|Mudanzas|Courier|Transporte de Carga|Autobuses"),
    ),
    SectorSpec(
        "salud",
        "Salud",
        5,
        70_000,
        _words("Clínica Dental|Clínica Médica|Laboratorio Clínico|Hospital|Centro de Diagnóstico"),
    ),
    SectorSpec(
        "educacion",
        "Educación",
        3,
        60_000,
        _words("Colegio|Centro Escolar|Academia de Idiomas|Instituto Técnico|Universidad"),
    ),
    SectorSpec(
        "financiero",
        "Financiero",
        2,
        90_000,
        _words("Financiera|Sociedad de Ahorro y Crédito|Aseguradora|Casa de Empeño|Inversiones"),
    ),
    SectorSpec("ong", "ONG", 1.5, 55_000, _words("Fundación|Asociación")),
)

PLACES = _words(
    "Cuscatlán|Centroamericana|del Pacífico|Salvadoreña|Los Volcanes|La Esperanza|San Miguel"
    "|Santa Ana|San Francisco|Santa Lucía|San José|La Fe|El Progreso|Izalco|Lempa|Jiboa|Acajutla"
    "|Ilopango|Guazapa|Chaparrastique|Tecapa|El Roble|Las Colinas|El Pino|La Ceiba|Los Almendros"
    "|Monte Carmelo|Maya|Tazumal|Atlacatl|Occidental|Oriental|del Norte|Metropolitana|Continental"
    "|Universal|Moderna|El Éxito|San Rafael|Santa Rita|El Carmen|La Providencia|San Benito"
    "|Las Flores|El Bálsamo|Cerro Verde|Apaneca|Coatepeque|La Palma|San Andrés|Santa Teresa"
    "|El Ángel|La Joya|Miramonte|Escalón|Sihuatehuacán|Tonacatepeque|Ruta de las Flores"
)
SURNAMES = _words(
    "Hernández|López|Martínez|García|Rodríguez|Pérez|Flores|Ramírez|Rivera|González|Cruz|Sánchez"
    "|Romero|Mejía|Orellana|Portillo|Alvarado|Guardado|Henríquez|Escobar|Menjívar|Chávez|Rivas"
    "|Aguilar|Ayala|Molina|Quintanilla|Argueta|Bonilla|Castillo|Fuentes|Vásquez|Cáceres|Ventura"
    "|Melara|Alfaro|Campos|Villalta|Zelaya|Amaya|Marroquín|Calderón|Guevara|Serrano|Deras|Lemus"
    "|Palacios|Recinos|Ascencio|Villatoro|Mendoza|Umaña|Sorto|Canales|Figueroa"
)
MALE_NAMES = _words(
    "José|Juan|Carlos|Luis|Jorge|Mario|Francisco|Manuel|Roberto|Óscar|Ricardo|Salvador|Miguel"
    "|Rafael|Ernesto|Mauricio|René|Edwin|Nelson|William|Julio|Héctor|Raúl|Rigoberto|Napoleón"
    "|Armando|Antonio|Alejandro|Fernando|Rolando"
)
FEMALE_NAMES = _words(
    "María|Rosa|Ana|Carmen|Sandra|Gloria|Patricia|Marta|Claudia|Silvia|Reina|Blanca|Karla|Yesenia"
    "|Wendy|Evelyn|Lorena|Guadalupe|Delmy|Xiomara|Beatriz|Julia|Sofía|Gabriela|Verónica|Margarita"
    "|Cecilia|Elena|Lucía|Daniela"
)
STREETS = _words(
    "Calle Arce|Avenida España|Calle Rubén Darío|Boulevard de Los Héroes|Calle La Mascota"
    "|Avenida Juan Pablo II|Calle Los Sisimiles|Boulevard del Ejército|Avenida Independencia"
    "|Calle Delgado|Avenida Olímpica|Calle El Progreso|Boulevard Constitución|Calle Libertad"
    "|Avenida Roosevelt|Calle Gerardo Barrios|Carretera Panamericana|Carretera del Litoral"
)
SAN_SALVADOR_NEIGHBOURHOODS = _words(
    "Colonia Escalón|Colonia San Benito|Colonia Miramonte|Colonia Flor Blanca|Centro Histórico"
    "|Colonia Médica|Colonia Layco|Barrio San Jacinto|Colonia Zacamil"
)
NEIGHBOURHOODS = _words(
    "Barrio El Centro|Barrio San Francisco|Barrio El Calvario|Barrio La Merced"
    "|Colonia Santa Lucía|Colonia Las Palmeras|Residencial Los Pinos|Barrio El Carmen"
    "|Colonia El Milagro"
)
LARGE_TRADES = frozenset(
    _words("Hospital|Universidad|Ingenio|Supermercado|Contact Center|Embotelladora|Aseguradora|Autobuses")
)
CHANNELS = ("banco", "en línea", "ventanilla")
CHANNEL_WEIGHTS = (55, 30, 15)


@dataclass(frozen=True)
class Behaviour:
    code: str
    debtor: bool  # built to owe a past-due contribution at `today`
    weight: float  # relative weight inside its group (debtors, or the others)
    description: str


BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour("al_dia", False, 78, "paga cada periodo a tiempo (algunos cerraron o están inactivos)"),
    Behaviour("atraso_ocasional", False, 12, "algunos periodos pagados de 1 a 3 meses tarde, con recargo"),
    Behaviour("sobrepago", False, 6, "a tiempo; a veces paga de más o dos veces (saldo a favor)"),
    Behaviour("de_oficio_pagado", False, 4, "omitió planillas; pagó las de oficio con recargo y multa"),
    Behaviour("atraso_cronico", True, 30, "paga todo de 1 a 3 meses tarde; debe los últimos periodos"),
    Behaviour("pago_parcial", True, 25, "desde cierto periodo paga solo una parte de cada planilla"),
    Behaviour("dejo_de_pagar", True, 30, "dejó de pagar; algunos dejaron también de presentar planillas"),
    Behaviour("de_oficio_pendiente", True, 15, "planillas de oficio tras una inspección, sin pagar"),
)


@dataclass
class SyntheticSummary:
    """What was written, and the generator's own view of who is in arrears at `today`."""

    folder: Path
    today: date
    first_period: str
    last_period: str
    employers: int = 0
    declarations: int = 0
    de_oficio: int = 0
    payments: int = 0
    behaviours: Counter[str] = field(default_factory=Counter)
    by_branch: Counter[str] = field(default_factory=Counter)
    debtors: list[str] = field(default_factory=list)  # employer numbers that owe a past-due period

    @property
    def files(self) -> dict[str, Path]:
        return {kind: self.folder / f"{kind}.csv" for kind in ("employers", "declarations", "payments")}

    @property
    def debtor_share(self) -> float:
        return len(self.debtors) / self.employers if self.employers else 0.0


# Months are integers (year * 12 + month - 1); money is integer cents.


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


@lru_cache(maxsize=4096)
def _period(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


@lru_cache(maxsize=65536)
def _day(m: int, day: int) -> date:
    year, month = divmod(m, 12)
    return date(year, month + 1, min(day, monthrange(year, month + 1)[1]))


def _add_months(d: date, k: int) -> date:
    return _day(_month_index(d) + k, d.day)


def _due(m: int) -> date:
    return _day(m + 1, DUE_DAY)


def months_late(due: date, paid_on: date) -> int:
    """SPEC §5: the least k ≥ 1 with due + k months ≥ paid_on; 0 when paid by the due date."""
    if paid_on <= due:
        return 0
    k = 1
    while _add_months(due, k) < paid_on:
        k += 1
    return k


def _percent(cents: int, percent: int) -> int:
    return (cents * percent + 50) // 100  # half-up, amounts are never negative


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def contributions(salary_base_cents: int) -> tuple[int, int]:
    """(employer, worker) contribution in cents of a capped salary base, each rounded half-up."""
    employer = (salary_base_cents * EMPLOYER_RATE_PER_MILLE + 500) // 1000
    worker = (salary_base_cents * WORKER_RATE_PER_MILLE + 500) // 1000
    return employer, worker


def _nit_check_digit(digits: str) -> int:
    """A weighted mod-11 check digit: NITs look right; it is not the tax authority's algorithm."""
    total = sum(int(c) * w for c, w in zip(digits, range(len(digits) + 1, 1, -1), strict=True))
    return (11 - total % 11) % 11 % 10


def _acronym(text: str) -> str:
    skip = {"de", "del", "la", "las", "los", "el", "y", "e", "para", "S.A.", "C.V.", "R.L."}
    return "".join(w[0] for w in text.replace(",", "").split() if w not in skip and w[0].isalpha()).upper()


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


Payment = tuple[date, int, int | None]  # (paid_on, cents, period paid or None)


class _Generator:
    """One pass over the employers; writes the three files as it goes (memory stays flat)."""

    def __init__(self, *, seed: int, years: int, today: date, block: int = 0) -> None:
        self.rng = random.Random(seed) if block == 0 else random.Random(f"{seed}/{block}")
        self.today = today
        self.last = _month_index(today) - 1  # the month before today
        self.first = self.last - years * 12 + 1
        self.branch_cum = list(accumulate(b.weight for b in BRANCHES))
        self.sector_cum = list(accumulate(s.weight for s in SECTORS))
        self.debtor_kinds = [b for b in BEHAVIOURS if b.debtor]
        self.payer_kinds = [b for b in BEHAVIOURS if not b.debtor]
        self.debtor_cum = list(accumulate(b.weight for b in self.debtor_kinds))
        self.payer_cum = list(accumulate(b.weight for b in self.payer_kinds))
        # Systematic sampling per branch: the k-th employer of a branch is a debtor when
        # floor((k + 1)·p + u) > floor(k·p + u), u drawn once per branch.
        self.branch_seen = [0] * len(BRANCHES)
        self.branch_offset = [self.rng.random() for _ in BRANCHES]
        self.used_names: set[str] = set()
        self.next_number = 400_000_000 + block * BLOCK_NUMBERS + self.rng.randrange(1000)

    # -- small choices -------------------------------------------------------------------------
    def _pick(self, cum: list[float], items: Sequence[T]) -> T:
        return items[bisect(cum, self.rng.random() * cum[-1])]

    def _person(self) -> str:
        rng = self.rng
        names = MALE_NAMES if rng.random() < 0.55 else FEMALE_NAMES
        given = rng.choice(names)
        if rng.random() < 0.7:
            second = rng.choice(names)
            if second != given:
                given = f"{given} {second}"
        return f"{given} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"

    def _workforce(self) -> int:
        # Pareto(1.15): P(> 10) ≈ 7 %, P(> 100) ≈ 0.5 %.
        return max(1, min(int(self.rng.paretovariate(1.15)), 2500))

    def _salary(self, sector: SectorSpec) -> int:
        return max(MINIMUM_WAGE_CENTS, int(sector.median_salary_cents * self.rng.lognormvariate(0.0, 0.45)))

    def _names(self, sector: SectorSpec, workers: int) -> tuple[str, str]:
        """(legal name, trade name). Small employers are mostly people and family businesses."""
        rng = self.rng
        legal = trade_name = ""
        for _attempt in range(25):
            trade = rng.choice(sector.trades)
            if trade in LARGE_TRADES and workers < 25:
                continue  # no hospital with three workers
            place = rng.choice(PLACES)
            surname = rng.choice(SURNAMES)
            roll = rng.random()
            if sector.code == "ong":
                legal = rng.choice(
                    (
                        f"Fundación {place}",
                        f"Asociación para el Desarrollo Comunal {place}",
                        f"Fundación {surname} para la Educación",
                        f"Asociación Salvadoreña de Apoyo Comunitario {place}",
                    )
                )
                trade_name = _acronym(legal)
            elif sector.code == "financiero" and roll < 0.35:
                legal = f"Asociación Cooperativa de Ahorro y Crédito {place}, de R.L."
                trade_name = f"ACAC-{_acronym(place) or place.upper()}"
            elif sector.code == "agropecuario" and roll < 0.25:
                legal = f"Asociación Cooperativa de Producción Agropecuaria {place}, de R.L."
                trade_name = f"Cooperativa {place}"
            elif sector.code == "transporte" and roll < 0.2:
                legal = f"Sociedad Cooperativa de Transportistas {place}, de R.L. de C.V."
                trade_name = f"Transportistas {place}"
            elif workers <= 5 and roll < 0.45:
                legal = self._person()  # a sole proprietor: the legal name is the person's
                trade_name = f"{trade} {surname}" if rng.random() < 0.5 else f"{trade} {place}"
            elif workers <= 10 and roll < 0.75:
                legal = trade_name = rng.choice(
                    (f"{trade} {surname}", f"{trade} Hermanos {surname}", f"{trade} {surname} e Hijos")
                )
            else:
                base = f"{trade} {place}" if rng.random() < 0.75 else f"{trade} {surname}"
                legal = base + (", S.A. de C.V." if rng.random() < 0.85 else ", S. de R.L. de C.V.")
                trade_name = base if rng.random() < 0.75 else f"{_acronym(base)}SA"
            if legal not in self.used_names:
                break
        else:
            legal = f"{legal} {len(self.used_names)}"  # the word lists give tens of thousands of names
        self.used_names.add(legal)
        return legal, trade_name

    def _reference(self, number: str, m: int | None, cents: int) -> tuple[str, str]:
        """(channel, reference): an NPE (número de pago electrónico) or a cashier's receipt."""
        rng = self.rng
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        if channel == "ventanilla":
            return channel, f"REC-{rng.randrange(10**7):07d}"
        period = f"{m // 12:04d}{m % 12 + 1:02d}" if m is not None else "000000"
        digits = f"0313{cents:010d}{number}{period}"
        return channel, f"NPE {digits}{98 - int(digits + '00') % 97:02d}"

    def _month_change(self, salaries: list[int], sector: SectorSpec, m: int) -> None:
        """Hires, departures and January raises: the roster drifts a little each month."""
        rng = self.rng
        if m % 12 == 0:
            for i, s in enumerate(salaries):
                if rng.random() < 0.4:
                    salaries[i] = s + s * rng.randint(2, 8) // 100
        n = len(salaries)
        if rng.random() < (0.15 if n < 20 else 0.6):
            for _ in range(max(1, n * rng.randint(1, 3) // 100)):
                if len(salaries) == 1 or rng.random() < 0.52:
                    salaries.append(self._salary(sector))
                else:
                    salaries.pop(rng.randrange(len(salaries)))

    # -- one employer --------------------------------------------------------------------------
    def employer(self, summary: SyntheticSummary, write: dict[str, Callable[[list[Any]], Any]]) -> None:
        rng, today, last_month = self.rng, self.today, self.last
        b_index = bisect(self.branch_cum, rng.random() * self.branch_cum[-1])
        branch = BRANCHES[b_index]
        sector = self._pick(self.sector_cum, SECTORS)
        workers = self._workforce()
        k, u = self.branch_seen[b_index], self.branch_offset[b_index]
        self.branch_seen[b_index] += 1
        debtor = int((k + 1) * DEBTOR_SHARE + u) > int(k * DEBTOR_SHARE + u)
        code = (
            self._pick(self.debtor_cum, self.debtor_kinds)
            if debtor
            else self._pick(self.payer_cum, self.payer_kinds)
        ).code
        if code == "de_oficio_pagado" and last_month - 11 < self.first:
            code = "al_dia"  # needs a year of history

        self.next_number += rng.randint(1, 40)
        number = f"{self.next_number:09d}"
        legal, trade = self._names(sector, workers)

        # Lifecycle: registration, first and last declared month, status. Only employers that
        # pay on time are new (registered inside the window), closed or inactive.
        first, last, status = self.first, last_month, "active"
        if code == "al_dia" and rng.random() < 0.15 and last_month - 6 > self.first:
            registered = _day(rng.randint(self.first + 1, last_month - 6), rng.randint(1, 28))
            first = _month_index(registered)
        else:
            registered = _add_months(_day(self.first, rng.randint(1, 28)), -rng.randint(1, 300))
        if code == "al_dia" and rng.random() < 0.08 and last_month - 4 > first + 3:
            last = rng.randint(first + 3, last_month - 4)
            status = "closed" if rng.random() < 0.6 else "inactive"

        founded = registered - timedelta(days=rng.randint(0, 400))
        prefix = branch.nit_prefix if rng.random() < 0.45 else "0614"
        nit_digits = f"{prefix}{founded:%d%m%y}{rng.randint(101, 999):03d}"
        nit = f"{nit_digits[:4]}-{nit_digits[4:10]}-{nit_digits[10:13]}-{_nit_check_digit(nit_digits)}"
        hood = rng.choice(SAN_SALVADOR_NEIGHBOURHOODS if branch.code == "san-salvador" else NEIGHBOURHOODS)
        municipality = rng.choice(branch.municipalities)
        address = f"{rng.choice(STREETS)} #{rng.randint(1, 3999)}, {hood}, {municipality}, {branch.name}"
        phone = f"{rng.choice('2226' if workers > 5 else '2677')}{rng.randrange(10**7):07d}"
        mailbox = rng.choice(("contabilidad", "planillas", "pagos", "gerencia", "rrhh", "info"))
        write["employers"](
            [
                number,
                nit,
                legal,
                trade,
                sector.name,
                branch.name,
                address,
                f"{phone[:4]}-{phone[4:]}",
                f"{mailbox}@{_slug(trade)[:30] or 'empresa'}.example.com",
                self._person(),
                status,
                registered.isoformat(),
            ]
        )
        summary.employers += 1
        summary.behaviours[code] += 1
        summary.by_branch[branch.name] += 1

        # Behaviour parameters. Every debt includes a period ≤ last_month - 2, past due at `today`.
        lag = rng.choices((1, 2, 3), (5, 3, 2))[0]
        fraction = rng.randint(30, 85)
        unpaid_from = stops_filing_at = None
        if code in ("pago_parcial", "dejo_de_pagar"):
            unpaid_from = rng.randint(max(first, last_month - 24), last_month - 2)
            if code == "dejo_de_pagar" and rng.random() < 0.35:
                stops_filing_at = unpaid_from + rng.randint(2, 6)
        omission = None  # de-oficio periods: [first omitted, inspection month)
        if code == "de_oficio_pendiente":
            omitted = rng.randint(max(first, last_month - 18), last_month - 4)
            omission = (omitted, rng.randint(omitted + 2, min(omitted + 6, last_month - 1)))
        elif code == "de_oficio_pagado":
            omitted = rng.randint(first, last_month - 11)
            omission = (omitted, rng.randint(omitted + 3, min(omitted + 9, last_month - 5)))

        salaries = [self._salary(sector) for _ in range(workers)]
        payments: list[Payment] = []
        settle: list[tuple[int, int, int]] = []  # de-oficio (period, contribution, fine) to pay later
        for m in range(first, last + 1):
            if m > first:
                self._month_change(salaries, sector, m)
            if stops_filing_at is not None and m >= stops_filing_at:
                break
            base = sum(s if s < CEILING_CENTS else CEILING_CENTS for s in salaries)
            employer_part, worker_part = contributions(base)
            contribution = employer_part + worker_part
            de_oficio = omission is not None and omission[0] <= m < omission[1]
            filed_on: date | None = None
            filed_late = False
            if not de_oficio:
                if rng.random() < (0.10 if code == "atraso_cronico" else 0.025):
                    filed_late = True
                    filed_on = _day(m + 1, rng.randint(*LATE_FILING_DAYS))
                else:
                    filed_on = _day(m + 1, rng.choice((2, 3, 4, 5, 5, 6, 7, 8, 8, 9, 10, 10)))
                if filed_on > today:
                    continue  # not filed yet
            write["declarations"](
                [
                    number,
                    _period(m),
                    len(salaries),
                    money(base),
                    money(employer_part),
                    money(worker_part),
                    filed_on.isoformat() if filed_on else "",
                    "de_oficio" if de_oficio else "employer",
                ]
            )
            summary.declarations += 1
            summary.de_oficio += de_oficio
            fine = _percent(contribution, FINE_PERCENT) if (filed_late or de_oficio) else 0

            if filed_on is None:  # de oficio
                if code == "de_oficio_pagado":
                    settle.append((m, contribution, fine))
            elif unpaid_from is not None and m >= unpaid_from:
                if code == "pago_parcial":
                    paid_on = _day(m + 1, rng.randint(filed_on.day, 28))
                    payments.append((paid_on, max(1, contribution * fraction // 100), m))
            elif code == "atraso_cronico" and m <= last_month - 3:
                delay = lag if rng.random() < 0.85 else rng.randint(1, 3)
                payments.append(self._late(m, contribution, fine, delay))
            elif code == "atraso_cronico":
                pass  # behind: the last periods are not paid yet
            elif code == "atraso_ocasional" and not filed_late and m <= last_month - 5 and rng.random() < 0.2:
                payments.append(self._late(m, contribution, fine, rng.randint(1, 3)))
            elif filed_late:
                # Pays the day it files: one month of surcharge and the fine.
                payments.append((filed_on, contribution + _percent(contribution, 1) + fine, m))
            else:
                paid_on = _day(m + 1, rng.randint(filed_on.day, ON_TIME_LAST_DAY))
                payments.append((paid_on, contribution, m))
                if code == "sobrepago" and rng.random() < 0.1:
                    if rng.random() < 0.5:
                        payments.append((paid_on + timedelta(days=rng.randint(1, 9)), contribution, m))
                    else:
                        payments[-1] = (paid_on, (contribution // 1000 + 1) * 1000, m)  # up to the next $10

        if settle and omission is not None:
            # A month or two after the inspection: contribution, surcharge and fine of each
            # de-oficio period, as one payment per period or one payment that names none.
            pay_day = rng.choice((3, 4, 5, 6, 7, 8, 9, 10, 18, 20, 22, 25))
            paid_on = _day(omission[1] + rng.randint(1, 2), pay_day)
            owed = [(c + _percent(c, months_late(_due(m), paid_on)) + f, m) for m, c, f in settle]
            if rng.random() < 0.5:
                payments.append((paid_on, sum(a for a, _ in owed), None))
            else:
                payments.extend((paid_on, a, m) for a, m in owed)

        # Never in the future; ids follow the dates.
        payments = sorted(
            (p for p in payments if p[0] <= today), key=lambda p: (p[0], -1 if p[2] is None else p[2])
        )
        for n, (paid_on, cents, m_paid) in enumerate(payments, start=1):
            if m_paid is not None and code in ("al_dia", "sobrepago") and rng.random() < 0.06:
                m_paid = None  # paid without saying which period (goes to the oldest)
            channel, reference = self._reference(number, m_paid, cents)
            write["payments"](
                [
                    f"PG-{number}-{n:04d}",
                    number,
                    paid_on.isoformat(),
                    money(cents),
                    _period(m_paid) if m_paid is not None else "",
                    channel,
                    reference,
                ]
            )
        summary.payments += len(payments)
        if debtor:
            summary.debtors.append(number)

    def _late(self, m: int, contribution: int, fine: int, delay: int) -> Payment:
        """A payment `delay` months late with its surcharge: 3–25 days into that month of delay."""
        paid_on = _add_months(_due(m), delay - 1) + timedelta(days=self.rng.randint(3, 25))
        return paid_on, contribution + _percent(contribution, months_late(_due(m), paid_on)) + fine, m


def blocks(employers: int) -> int:
    """How many blocks of `BLOCK_EMPLOYERS` a portfolio of `employers` spans."""
    return -(-employers // BLOCK_EMPLOYERS)


def block_size(employers: int, block: int) -> int:
    return min(BLOCK_EMPLOYERS, employers - block * BLOCK_EMPLOYERS)


def new_summary(folder: Path, *, years: int, today: date) -> SyntheticSummary:
    last = _month_index(today) - 1
    return SyntheticSummary(
        folder=folder, today=today, first_period=_period(last - years * 12 + 1), last_period=_period(last)
    )


def generate_block(
    *,
    seed: int,
    years: int,
    today: date,
    block: int,
    count: int,
    write: dict[str, Callable[[list[Any]], Any]],
    summary: SyntheticSummary,
    every: int = 0,
    flush: Callable[[], Any] | None = None,
) -> None:
    """The first `count` employers of `block`, each written row by row through `write` (the same
    rows `generate_portfolio` puts in its files); `flush()` is called after every `every` employers
    and at the end (the streaming seed loads a chunk of employers at a time)."""
    generator = _Generator(seed=seed, years=years, today=today, block=block)
    for n in range(1, count + 1):
        generator.employer(summary, write)
        if flush is not None and (n == count or (every and n % every == 0)):
            flush()


def generate_portfolio(
    folder: Path | str,
    *,
    employers: int = 2000,
    years: int = 3,
    seed: int = 42,
    today: date | None = None,
) -> SyntheticSummary:
    """Write employers.csv, declarations.csv and payments.csv into `folder` (created if missing).

    Declarations cover the `years` × 12 months up to the month before `today` (default: the business
    date, `cobranza.common.dates.business_date`); nothing is dated after `today`.
    """
    if employers < 1 or years < 1:
        raise ValueError("employers and years must be at least 1")
    if today is None:
        from cobranza.common.dates import business_date

        today = business_date()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    summary = new_summary(folder, years=years, today=today)
    columns = {
        "employers": EMPLOYER_COLUMNS,
        "declarations": DECLARATION_COLUMNS,
        "payments": PAYMENT_COLUMNS,
    }
    handles = {kind: open(summary.files[kind], "w", encoding="utf-8", newline="") for kind in columns}  # noqa: SIM115
    try:
        writers = {kind: csv.writer(handle, lineterminator="\n") for kind, handle in handles.items()}
        for kind, writer in writers.items():
            writer.writerow(columns[kind])
        write = {kind: writer.writerow for kind, writer in writers.items()}
        for block in range(blocks(employers)):
            generator = _Generator(seed=seed, years=years, today=today, block=block)
            for _ in range(block_size(employers, block)):
                generator.employer(summary, write)
    finally:
        for handle in handles.values():
            handle.close()
    return summary
