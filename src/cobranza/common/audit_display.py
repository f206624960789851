"""The audit trail as people read it: every event as a Spanish sentence (issue 14 item 2).

The one presentation layer of audit events; no template prints ``event.before``/``event.after``.
``describe_events(events)`` turns each event into an ``EventView``:

- ``title``: the Spanish label of the action («Convenio aprobado»), from the label registry;
- ``subject``: what it happened to, by name or number («convenio CP-000001», «expediente
  EXP-2024-000123», «usuario Ana Pérez»), never an internal id;
- ``changes``: only the fields that changed («Estado: Aprobado → Vigente»), with Spanish field
  names; codes shown through the models' ``TextChoices`` labels; users by their full names,
  agreements, cases and payments by their numbers, branches by name; money ``$1,234.56``; dates
  dd/mm/yyyy; an event that only creates (no ``before``) lists its values;
- ``actor``: the name stored with the event (renaming a user does not rewrite history);
- ``reason``: whole;
- ``technical``: the raw event as JSON, for administrators only (templates show it to them alone).

References are resolved for a whole page at once (one query per model), so a page of events costs
a fixed number of queries.

How a new app adds its events (desk, hygiene, goals…)
----------------------------------------------------
Write ``cobranza/<app>/audit_labels.py`` with::

    LABELS = {"desk.inquiry_created": "Consulta registrada", ...}      # every action code
    FIELDS = {"channel": "Canal", "desk.inquiry_created:status": "Estado de la consulta"}  # optional

It is collected the first time events are described (any ``cobranza.*`` app). Or call
``register(labels=..., fields=...)`` from the app's ``AppConfig.ready``. Field labels may be
scoped as ``"<action>:<key>"`` or ``"<object_type>:<key>"``; without one, a key that is a field of
the event's model takes its ``verbose_name`` and its choices, and the formatting follows the field's
type. ``tests/common/test_audit_display.py`` scans the source for every ``action=`` code and fails,
listing them, when one has no label here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from cobranza.common.models import AuditEvent
from cobranza.common.templatetags.cobranza import format_money

EMPTY = "—"
SYSTEM = "Sistema"

# ------------------------------------------------------------------------------- label registry
_STATE_TITLES = {
    "draft": "Borrador de convenio elaborado",
    "approved": "Convenio aprobado",
    "active": "Convenio vigente (prima recibida)",
    "fulfilled": "Convenio cumplido",
    "lapsed": "Convenio incumplido",
    "cancelled": "Convenio anulado",
    "expired": "Convenio vencido (prima no recibida)",
    "restructured": "Convenio cerrado por reestructuración",
}

LABELS: dict[str, str] = {
    # agreements (agreement.<state> for every AgreementState)
    **{f"agreement.{state}": title for state, title in _STATE_TITLES.items()},
    "agreement.restructuring_drafted": "Convenio reestructurado",
    "agreement.restructuring_failed": "Reestructuración sin firmar: convenio incumplido",
    "agreement.call": "Llamada del centro de llamadas registrada",
    "agreements.check": "Revisión de convenios",
    # cases
    "case.opened": "Expediente abierto",
    "case.transition": "Cambio de estado del expediente",
    "case.action_recorded": "Gestión de cobro registrada",
    "case.action_reviewed": "Gestión revisada por la jefatura",
    "case.action_resubmitted": "Gestión corregida y reenviada a revisión",
    "case.promise_evaluated": "Promesa de pago evaluada",
    "case.document_stored": "Documento agregado al expediente",
    "case.letter_batch_created": "Cartas en lote solicitadas",
    # portfolio and users
    "assignment.created": "Patrono asignado a un gestor",
    "assignment.closed": "Fin de la asignación del patrono",
    "cover.created": "Suplencia de un gestor registrada",
    "goal.set": "Meta mensual fijada",
    "user.created": "Usuario creado",
    "user.updated": "Usuario modificado",
    "user.deleted": "Usuario eliminado",
    "user.password_set": "Contraseña asignada por un administrador",
    "user.roles_changed": "Roles del usuario modificados",
    "user.permissions_changed": "Permisos del usuario modificados",
    "group.created": "Rol creado",
    "group.updated": "Rol modificado",
    "group.deleted": "Rol eliminado",
    "group.permissions_changed": "Permisos del rol modificados",
    "password_changed": "Contraseña cambiada por el propio usuario",
    "password_change_required": "Cambio de contraseña exigido en el próximo ingreso",
    # employers and imports
    "employer.created": "Patrono registrado",
    "employer.updated": "Datos del patrono actualizados",
    "employer.contact_added": "Contacto del patrono agregado",
    "employer.contact_updated": "Contacto del patrono corregido",
    "employer.contact_retired": "Contacto del patrono retirado",
    "contact.created": "Contacto del patrono agregado",
    "contact.updated": "Contacto del patrono modificado",
    "contact.deleted": "Contacto del patrono eliminado",
    "branch.created": "Sucursal creada",
    "branch.updated": "Sucursal modificada",
    "sector.created": "Sector económico creado",
    "sector.updated": "Sector económico modificado",
    "import.completed": "Importación de datos completada",
    "declaration.corrected": "Planilla corregida",
    # ledger
    "policy.version_created": "Versión de política cargada",
    "policy.amnesty_created": "Amnistía registrada",
    "ledger.agreement_terms_recorded": "Convenio firmado: deuda congelada en el estado de cuenta",
    "ledger.agreement_terms_lapsed": "Convenio incumplido: congelamiento levantado",
    "ledger.agreement_terms_restructured": "Convenio reestructurado: congelamiento trasladado",
    "balances.recomputed": "Saldos de los patronos recalculados",
    "ledger.periods_suspended": "Períodos suspendidos por un reclamo",
    "ledger.periods_resumed": "Períodos reanudados al resolverse el reclamo",
    # documents
    "document.issued": "Documento emitido",
}

#: Field labels. Keys: "<action>:<key>", "<object_type>:<key>" or "<key>" (most specific first).
FIELDS: dict[str, str] = {
    "auth.user:username": "Usuario",
    "auth.user:first_name": "Nombre",
    "auth.user:last_name": "Apellidos",
    "auth.user:email": "Correo",
    "auth.user:is_active": "Activo",
    "auth.user:is_staff": "Acceso a la administración",
    "auth.user:is_superuser": "Superusuario",
    "auth.group:name": "Nombre del rol",
    "agreement": "Convenio",
    "state": "Estado",
    "status": "Estado",
    "close_reason": "Motivo de cierre",
    "collector": "Gestor",
    "collector_id": "Gestor",
    "opening_debt": "Deuda al abrir",
    "case": "Expediente",
    "kind": "Tipo",
    "outcome": "Resultado",
    "contact_person": "Persona contactada",
    "next_action_on": "Próxima gestión",
    "promise": "Promesa de pago",
    "review_status": "Revisión",
    "comment": "Comentario",
    "paid_amount": "Monto pagado",
    "amount": "Monto",
    "as_of": "Fecha de corte",
    "doc_type": "Tipo de documento",
    "title": "Título",
    "letter_type": "Tipo de carta",
    "employers": "Patronos",
    "username": "Usuario",
    "first_name": "Nombre",
    "last_name": "Apellidos",
    "email": "Correo",
    "is_active": "Activo",
    "is_staff": "Acceso a la administración",
    "is_superuser": "Superusuario",
    "roles": "Roles",
    "groups": "Roles",
    "permissions": "Permisos",
    "branch": "Sucursal",
    "branch_id": "Sucursal",
    "sector_id": "Sector",
    "name": "Nombre",
    "code": "Código",
    "department": "Departamento",
    "position": "Cargo",
    "phone": "Teléfono",
    "is_primary": "Contacto principal",
    "absent": "Gestor ausente",
    "substitute": "Gestor suplente",
    "start_date": "Desde",
    "end_date": "Hasta",
    "start": "Desde",
    "end": "Hasta",
    "version": "Versión",
    "effective_from": "Vigente desde",
    "inherited_from": "Basada en la versión",
    "retroactive": "Retroactiva",
    "note": "Nota",
    "number": "Convenio",
    "drafted_on": "Fecha del borrador",
    "signed_on": "Firmado el",
    "periods": "Períodos",
    "lapsed_on": "Incumplido desde",
    "restructured_on": "Reestructurado el",
    "new_agreement": "Convenio nuevo",
    "draft": "Borrador de la reestructuración",
    "agreements.check:checked": "Convenios revisados",
    "agreements.check:signed": "Firmados (prima recibida)",
    "agreements.check:lapsed": "Incumplidos",
    "agreements.check:fulfilled": "Cumplidos",
    "agreements.check:overdue": "Con cuotas vencidas",
    "agreements.check:expired": "Vencidos",
    "called_on": "Fecha de la llamada",
    "notes": "Observaciones",
    "promised_amount": "Monto prometido",
    "promised_on": "Fecha prometida",
    "filename": "Archivo",
    "rows": "Filas",
    "created": "Creados",
    "updated": "Actualizados",
    "skipped": "Omitidos",
    "corrected": "Corregidos",
    "policy_version": "Versión de política",
    "balances.recomputed:employers": "Patronos",
    "period_rows": "Períodos calculados",
    "payments": "Pagos",
    "in_arrears": "Patronos en mora",
    "outstanding": "Saldo",
    "overdue": "Saldo exigible",
    "current": "Saldo corriente",
    "credit": "Saldo a favor",
    "must_change_password": "Debe cambiar la contraseña",
    "waives": "Condona",
    "paid_in_full": "Por pago total",
    "agreements": "Por convenio",
    "period_from": "Desde el período",
    "period_to": "Hasta el período",
    "employer_number": "Número patronal",
    "legal_name": "Razón social",
    "trade_name": "Nombre comercial",
    "nit": "NIT",
    "address": "Dirección",
    "legal_representative": "Representante legal",
    "registered_on": "Fecha de inscripción",
    "employer_rate": "Tasa patronal",
    "worker_rate": "Tasa laboral",
    "insured_salary": "Salario cotizable",
    "contribution": "Cotización",
    "workers": "Trabajadores",
    "period": "Período",
    "filed_on": "Presentada el",
    "retired_reason": "Motivo del retiro",
    "active": "Vigente",
}

#: Keys never shown (internal bookkeeping; the raw event keeps them for administrators).
HIDDEN = {"sha256", "file", "size", "seconds", "chunks", "scope", "parameters", "password_changed"}

#: How a key that is not a model field is formatted: "username" (a user by login name), "user" (a
#: user by id), "roles", "permissions", "promise", "changes".
KINDS: dict[str, str] = {
    "collector": "username",
    "absent": "username",
    "substitute": "username",
    "collector_id": "user",
    "roles": "roles",
    "groups": "roles",
    "permissions": "permissions",
    "promise": "promise",
    "changes": "changes",
    "case": "ref:cases.casefile",
    "case.action_recorded:kind": "choices:cases.collectionaction.kind",
    "case.document_stored:doc_type": "choices:cases.casedocument.doc_type",
    "letter_type": "choices:cases.letterbatch.letter_type",
}

#: The noun of an object in a subject when its model's verbose_name is not the word people use.
NOUNS: dict[str, str] = {
    "auth.group": "rol",
    "auth.user": "usuario",
    "agreements.agreement": "convenio",
    "employers.importbatch": "importación",
}

_collected = False


def register(
    *,
    labels: dict[str, str] | None = None,
    fields: dict[str, str] | None = None,
    kinds: dict[str, str] | None = None,
    hidden: Iterable[str] = (),
    nouns: dict[str, str] | None = None,
) -> None:
    """Add an app's action labels, field labels, value kinds, hidden keys and nouns to the registry."""
    LABELS.update(labels or {})
    NOUNS.update(nouns or {})
    FIELDS.update(fields or {})
    KINDS.update(kinds or {})
    HIDDEN.update(hidden)


def collect_app_labels() -> None:
    """Merge the ``audit_labels`` module of every ``cobranza.*`` app (once)."""
    global _collected
    if _collected:
        return
    for config in apps.get_app_configs():
        if not config.name.startswith("cobranza."):
            continue
        try:
            module = import_module(f"{config.name}.audit_labels")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.audit_labels":
                raise
            continue
        register(
            labels=getattr(module, "LABELS", None),
            fields=getattr(module, "FIELDS", None),
            kinds=getattr(module, "KINDS", None),
            hidden=getattr(module, "HIDDEN", ()),
            nouns=getattr(module, "NOUNS", None),
        )
    _collected = True


def action_label(action: str) -> str:
    collect_app_labels()
    return LABELS.get(action, "Cambio registrado")


def action_choices() -> list[tuple[str, str]]:
    """Every labelled action, by label (for the filter of the audit list)."""
    collect_app_labels()
    return sorted(LABELS.items(), key=lambda item: item[1])


# ------------------------------------------------------------------------------- names of things
def _user_name(user: Any) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.username


def _role_label(name: str) -> str:
    from cobranza.common.roles import Role

    return dict(Role.choices).get(name, name)


_NAMERS: dict[str, Callable[[Any], str]] = {
    "auth.user": _user_name,
    "auth.group": lambda g: _role_label(g.name),
    "agreements.agreement": lambda a: a.number,
    "cases.casefile": lambda c: c.code,
    "ledger.payment": lambda p: f"{p.payment_id} ({format_money(p.amount)} del {p.paid_on:%d/%m/%Y})",
    "employers.employer": lambda e: f"{e.employer_number} {e.legal_name}",
    "employers.branch": lambda b: b.name,
    "employers.sector": lambda s: s.name,
    "employers.contact": lambda c: c.name,
    "ledger.agreementterms": lambda t: t.number,
    "agreements.callrecord": lambda c: f"del convenio {c.agreement.number}",
    "cases.collectionaction": lambda a: f"{a.get_kind_display().lower()} del {a.performed_at:%d/%m/%Y}",
    "cases.paymentpromise": lambda p: f"de {format_money(p.amount)} al {p.promised_on:%d/%m/%Y}",
    "cases.casedocument": lambda d: d.title,
    "ledger.policyversion": lambda v: v.version,
    "ledger.amnesty": lambda a: a.name,
    "employers.importbatch": lambda b: f"del archivo {b.filename}",
    "cases.letterbatch": lambda b: str(b),
}
_SELECT: dict[str, tuple[str, ...]] = {"agreements.callrecord": ("agreement",)}


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


class _Resolver:
    """Names of referenced rows, fetched per model in one query after a first, collecting pass."""

    def __init__(self) -> None:
        self.wanted: dict[tuple[str, str], set[Any]] = {}
        self.found: dict[tuple[str, str, str], Any] = {}
        self.collecting = True

    def get(self, label: str, value: Any, *, by: str = "pk") -> Any:
        key = str(value)
        if by == "pk" and not key.isdigit():
            return None
        if self.collecting:
            self.wanted.setdefault((label, by), set()).add(key)
            return None
        return self.found.get((label, by, key))

    def fetch(self) -> None:
        for (label, by), keys in self.wanted.items():
            model = _model(label)
            if model is None:
                continue
            qs = model._default_manager.filter(**{f"{by}__in": keys})
            if label in _SELECT:
                qs = qs.select_related(*_SELECT[label])
            for obj in qs:
                self.found[(label, by, str(getattr(obj, by)))] = obj
        self.collecting = False

    def name(self, label: str, value: Any, *, by: str = "pk") -> str:
        obj = self.get(label, value, by=by)
        if obj is None:
            return str(value) if by == "username" else "(no disponible)"
        namer = _NAMERS.get(label, str)
        return namer(obj)


# ------------------------------------------------------------------------------- values
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_PERIOD = re.compile(r"^\d{4}-\d{2}$")
_PERM_VERBS = {"add": "Agregar", "change": "Modificar", "delete": "Eliminar", "view": "Ver"}


def _date_text(value: Any) -> str:
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
            if timezone.is_aware(value)
            else f"{value:%d/%m/%Y %H:%M}"
        )
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    text = str(value)
    if _ISO_DATE.match(text):
        return f"{text[8:10]}/{text[5:7]}/{text[0:4]}"
    if _ISO_DATETIME.match(text):
        try:
            return _date_text(datetime.fromisoformat(text))
        except ValueError:
            return text
    return text


def _money_text(value: Any) -> str:
    if isinstance(value, str) and value.strip().startswith(("$", "-$")):
        return value
    try:
        return format_money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def _percent_text(value: Any) -> str:
    try:
        rate = Decimal(str(value)) * 100
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{rate.normalize():f} %"


def _permission_text(code: str) -> str:
    app_label, _, codename = str(code).partition(".")
    verb, _, model_name = codename.partition("_")
    model = _model(f"{app_label}.{model_name}") if model_name else None
    if verb in _PERM_VERBS and model is not None:
        return f"{_PERM_VERBS[verb]} {model._meta.verbose_name}"
    from django.contrib.auth.models import Permission

    found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    return found.name if found else codename.replace("_", " ")


def _plain(value: Any) -> str:
    """A value with no known type, as people read it (never a dict or a Python literal)."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return _money_text(value)
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value) or EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{_humanize(k)}: {_plain(v)}" for k, v in value.items() if k not in HIDDEN) or EMPTY
    text = str(value)
    if _PERIOD.match(text):
        return f"{text[5:7]}/{text[0:4]}"
    if _ISO_DATE.match(text) or _ISO_DATETIME.match(text):
        return _date_text(text)
    return text


def _humanize(key: str) -> str:
    return FIELDS.get(key) or key.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str
    changed: bool  # False: a value of a creation or a deletion (no arrow)

    @property
    def text(self) -> str:
        if self.changed:
            return f"{self.label}: {self.before} → {self.after}"
        return f"{self.label}: {self.after if self.after != EMPTY else self.before}"


@dataclass
class EventView:
    event: AuditEvent
    title: str
    subject: str
    actor: str
    changes: list[Change] = field(default_factory=list)

    @property
    def at(self) -> datetime:
        return self.event.at

    @property
    def action(self) -> str:
        return self.event.action

    @property
    def reason(self) -> str:
        return self.event.reason

    @property
    def sentence(self) -> str:
        """One Spanish sentence: «Convenio aprobado (convenio CP-000001). Estado: Borrador → Aprobado.»"""
        head = f"{self.title} ({self.subject})" if self.subject else self.title
        parts = [f"{head}."]
        if self.changes:
            parts.append("; ".join(c.text for c in self.changes) + ".")
        if self.reason:
            parts.append(f"Motivo: {self.reason}")
        return " ".join(parts)

    @property
    def technical(self) -> str:
        """The raw event (administrators only)."""
        e = self.event
        return json.dumps(
            {
                "acción": e.action,
                "tipo de objeto": e.object_type,
                "identificador": e.object_id,
                "usuario (id)": e.actor_id,
                "antes": e.before,
                "después": e.after,
            },
            ensure_ascii=False,
            indent=1,
            default=str,
        )


class _Formatter:
    def __init__(self, event: AuditEvent, resolver: _Resolver) -> None:
        self.event = event
        self.resolver = resolver
        self.model = _model(event.object_type) if event.object_type else None

    def _model_field(self, key: str) -> models.Field[Any, Any] | None:
        if self.model is None:
            return None
        for f in self.model._meta.concrete_fields:
            if key in (f.name, f.attname):
                return f
        return None

    def label(self, key: str) -> str:
        for scoped in (f"{self.event.action}:{key}", f"{self.event.object_type}:{key}"):
            if scoped in FIELDS:
                return FIELDS[scoped]
        model_field = self._model_field(key)
        if model_field is not None:
            return str(model_field.verbose_name).capitalize()
        return _humanize(key)

    def value(self, key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return EMPTY
        kind = KINDS.get(f"{self.event.action}:{key}") or KINDS.get(key)
        if kind is None:
            model_field = self._model_field(key)
            if model_field is not None:
                return self._by_field(model_field, value)
            return _plain(value)
        return self._by_kind(kind, value)

    def _by_kind(self, kind: str, value: Any) -> str:
        r = self.resolver
        if kind == "username":
            return r.name("auth.user", value, by="username")
        if kind == "user":
            return r.name("auth.user", value)
        if kind.startswith("ref:"):
            return r.name(kind[4:], value)
        if kind.startswith("choices:"):
            app_model, _, field_name = kind[8:].rpartition(".")
            model = _model(app_model)
            if model is not None:
                return self._by_field(model._meta.get_field(field_name), value)
            return _plain(value)
        if kind == "roles":
            return ", ".join(_role_label(v) for v in value) if value else "(ninguno)"
        if kind == "permissions":
            return ", ".join(_permission_text(v) for v in value) if value else "(ninguno)"
        if kind == "promise" and isinstance(value, dict):
            return f"{_money_text(value.get('amount'))} al {_date_text(value.get('promised_on'))}"
        return _plain(value)

    def _by_field(self, model_field: Any, value: Any) -> str:
        if isinstance(model_field, models.ForeignKey):
            return self.resolver.name(model_field.related_model._meta.label_lower, value)
        if model_field.choices:
            labels = {str(k): str(v) for k, v in model_field.flatchoices}
            if isinstance(value, list):
                return ", ".join(labels.get(str(v), str(v)) for v in value)
            return labels.get(str(value), str(value))
        if isinstance(model_field, models.BooleanField):
            return "Sí" if value else "No"
        if isinstance(model_field, models.DecimalField):
            return _money_text(value) if model_field.decimal_places == 2 else _percent_text(value)
        if isinstance(model_field, models.DateField):  # DateTimeField too
            return _date_text(value)
        if isinstance(model_field, models.IntegerField) and isinstance(value, int):
            return f"{value:,}"
        return _plain(value)

    # -- an event's changes
    def changes(self) -> list[Change]:
        before = self.event.before if isinstance(self.event.before, dict) else {}
        after = self.event.after if isinstance(self.event.after, dict) else {}
        if self.event.before is not None and not isinstance(self.event.before, dict):
            before = {"valor": self.event.before}
        if self.event.after is not None and not isinstance(self.event.after, dict):
            after = {"valor": self.event.after}
        out: list[Change] = []
        both = bool(before) and bool(after)
        keys = self._ordered(list(before) + [k for k in after if k not in before])
        for key in keys:
            if key in HIDDEN:
                continue
            if KINDS.get(key) == "changes":
                out.extend(self._policy_changes(after.get(key) or {}))
                continue
            if both and key in before and key in after:
                if before[key] == after[key]:
                    continue
                out.append(
                    Change(self.label(key), self.value(key, before[key]), self.value(key, after[key]), True)
                )
            elif both and key in after:
                out.append(Change(self.label(key), EMPTY, self.value(key, after[key]), True))
            elif both:
                out.append(Change(self.label(key), self.value(key, before[key]), EMPTY, True))
            else:
                shown = self.value(key, after.get(key, before.get(key)))
                if shown != EMPTY:
                    out.append(Change(self.label(key), "", shown, False))
        return out

    def _ordered(self, keys: list[str]) -> list[str]:
        """The model's field order first (PostgreSQL's jsonb does not keep the keys' order), then
        the other keys as stored."""
        if self.model is None:
            return keys
        order: dict[str, int] = {}
        for index, f in enumerate(self.model._meta.concrete_fields):
            order.setdefault(f.name, index)
            order.setdefault(f.attname, index)
        return sorted(keys, key=lambda k: (order.get(k, len(order)), keys.index(k)))

    def _policy_changes(self, changes: dict[str, Any]) -> list[Change]:
        from cobranza.engine.policy import _LABELS as PARAMETER_LABELS
        from cobranza.ledger.presentation import parameter_value

        out = []
        for name, pair in changes.items():
            old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list | tuple) else (None, pair)
            label = PARAMETER_LABELS.get(name, name.replace("_", " ")).capitalize()
            out.append(
                Change(
                    label,
                    EMPTY if old is None else parameter_value(old),
                    EMPTY if new is None else parameter_value(new),
                    True,
                )
            )
        return out

    def subject(self) -> str:
        e = self.event
        if _ISO_DATE.match(e.object_id or ""):
            return f"al {_date_text(e.object_id)}"
        model = self.model
        if model is None or not e.object_id:
            return f"patrono {e.employer_number}" if e.employer_number else ""
        noun = NOUNS.get(e.object_type) or str(model._meta.verbose_name)
        if e.object_type in _NAMERS:
            return f"{noun} {self.resolver.name(e.object_type, e.object_id)}"
        if e.employer_number:
            return f"{noun} del patrono {e.employer_number}"
        return noun


def describe_events(events: Iterable[AuditEvent]) -> list[EventView]:
    """Each event as people read it (see the module docstring)."""
    collect_app_labels()
    events = list(events)
    resolver = _Resolver()
    for event in events:  # first pass: which rows are named
        fmt = _Formatter(event, resolver)
        fmt.subject()
        fmt.changes()
    resolver.fetch()
    views = []
    for event in events:
        fmt = _Formatter(event, resolver)
        views.append(
            EventView(
                event=event,
                title=action_label(event.action),
                subject=fmt.subject(),
                actor=event.actor_name or (SYSTEM if event.actor_id is None else "(usuario)"),
                changes=fmt.changes(),
            )
        )
    return views


def describe_event(event: AuditEvent) -> EventView:
    return describe_events([event])[0]
