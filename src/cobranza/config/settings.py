"""Django settings for Cobranza.

Everything that differs between machines comes from the environment (django-environ):
DATABASE_URL (SQLite file under COBRANZA_DATA_DIR by default), SECRET_KEY, DEBUG, ALLOWED_HOSTS,
CELERY_BROKER_URL, COBRANZA_BUSINESS_DATE. The defaults give the embedded, single-machine demo.
"""

from pathlib import Path

import environ

from cobranza.common.dates import parse_business_date_setting

env = environ.Env()

SRC_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.str("COBRANZA_DATA_DIR", default=str(Path.cwd() / "data"))).resolve()

# The SQLite file, uploaded documents and collected static files live here unless configured otherwise.
for _folder in (DATA_DIR, DATA_DIR / "static"):
    try:
        _folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only install: the operator configures paths explicitly
        pass

SECRET_KEY = env.str("SECRET_KEY", default="inseguro-solo-para-desarrollo-cambie-SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",  # serves Swagger UI for /api/docs from its own static files, not from a CDN
    "cobranza.common",
    "cobranza.employers",
    "cobranza.ledger",
    "cobranza.portfolio",
    "cobranza.cases",
    "cobranza.agreements",
    "cobranza.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cobranza.config.urls"
WSGI_APPLICATION = "cobranza.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cobranza.common.context_processors.navigation",
            ],
            "builtins": ["cobranza.common.templatetags.cobranza"],
        },
    }
]

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'cobranza.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and a command share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username+address pair after 5 failed logins for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

LANGUAGE_CODE = "es"
LANGUAGES = [("es", "Español")]
TIME_ZONE = "America/El_Salvador"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

# The business date: the "today" of every service, command and page (cobranza.common.dates.
# business_date). Unset or empty: today's date in America/El_Salvador. Set (AAAA-MM-DD or
# DD/MM/AAAA) to run a demo, a rehearsal or a test as of that day. Parsed once, here: a malformed
# value stops the server or command at startup with a Spanish message.
COBRANZA_BUSINESS_DATE = parse_business_date_setting(env.str("COBRANZA_BUSINESS_DATE", default=""))

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [SRC_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Celery: eager in the embedded default (no broker needed); Redis in production.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
# Chords (recompute chunks + callback) need a result backend shared by the processes: the broker's
# Redis unless configured otherwise; in-process memory only in the eager default.
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default="cache+memory://" if CELERY_BROKER_URL == "memory://" else CELERY_BROKER_URL,
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"
