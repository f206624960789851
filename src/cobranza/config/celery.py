"""Celery application. Eager (in-process) by default; point CELERY_BROKER_URL at Redis in production.

Periodic work (run `cobranza`'s beat: `celery -A cobranza.config.celery beat`; see docs/operations.md):
the nightly recompute of every employer's balance at 01:30, the agreements' follow-up (installments,
overdue, lapse) at 05:00 and the promises to pay at 05:30, America/El_Salvador (CELERY_TIMEZONE);
and every minute the outbox's drain, which sends again the tasks a broker outage kept from being sent
(cobranza.outbox). The broker timeouts (about a second, no publish retry) are in config/settings.py.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cobranza.config.settings")

app = Celery("cobranza")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "recalcular-saldos-cada-noche": {
        "task": "ledger.recompute_all",
        # 01:30 in the app's timezone (CELERY_TIMEZONE = America/El_Salvador); as of that day.
        # Incremental: only the employers whose figures can have changed (a full run when needed).
        "schedule": crontab(hour=1, minute=30),
        "kwargs": {"full": False},
        "options": {"expires": 6 * 3600},
    },
    "revisar-convenios-cada-dia": {
        "task": "agreements.check",
        "schedule": crontab(hour=5, minute=0),
        "options": {"expires": 6 * 3600},
    },
    "reenviar-tareas-pendientes": {
        "task": "outbox.drain",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "revisar-promesas-cada-dia": {
        "task": "cases.promises_check",
        "schedule": crontab(hour=5, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # Account hygiene after the recompute (credit balances and closed employers' debt come from the
    # snapshots): findings upserted by key, automatic clean-up requests to the areas.
    # Limitation (SPEC §8): periods whose limitation date passed with debt unpaid are marked
    # prescribed; the candidates come from the snapshots, so after the recompute.
    "marcar-prescripciones-cada-noche": {
        "task": "ledger.limitation_check",
        "schedule": crontab(hour=3, minute=0),
        "options": {"expires": 6 * 3600},
    },
    "depurar-cuentas-cada-noche": {
        "task": "hygiene.scan",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # Publication list (SPEC §8): published employers that paid or signed an agreement are marked
    # "regularizado" (after the recompute and the limitation check).
    "marcar-regularizados-de-publicacion-cada-noche": {
        "task": "publications.regularizations",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 6 * 3600},
    },
}
