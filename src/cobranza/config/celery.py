"""Celery application. Eager (in-process) by default; point CELERY_BROKER_URL at Redis in production."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cobranza.config.settings")

app = Celery("cobranza")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
