"""Celery application. Eager (in-process) by default; point CELERY_BROKER_URL at Redis in production.

Periodic work (run `cobranza`'s beat: `celery -A cobranza.config.celery beat`; see docs/operations.md):
the nightly recompute of every employer's balance at 01:30, the agreements' follow-up (installments,
overdue, lapse) at 05:00 and the promises to pay at 05:30, America/El_Salvador (CELERY_TIMEZONE).
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
        "schedule": crontab(hour=1, minute=30),
        "options": {"expires": 6 * 3600},
    },
    "revisar-convenios-cada-dia": {
        "task": "agreements.check",
        "schedule": crontab(hour=5, minute=0),
        "options": {"expires": 6 * 3600},
    },
    "revisar-promesas-cada-dia": {
        "task": "cases.promises_check",
        "schedule": crontab(hour=5, minute=30),
        "options": {"expires": 6 * 3600},
    },
}
