"""Django settings for Cobranza.

Everything that differs between machines comes from the environment (django-environ):
DATABASE_URL (SQLite file under COBRANZA_DATA_DIR by default), SECRET_KEY, DEBUG, ALLOWED_HOSTS,
CELERY_BROKER_URL, COBRANZA_BUSINESS_DATE, and the security switches documented in docs/operations.md
(COBRANZA_HTTPS, SECURE_*, COBRANZA_SESSION_IDLE_MINUTES, COBRANZA_API_TOKEN_*, COBRANZA_CSP).

Production fails closed: with DEBUG off, SECRET_KEY must be set (the app refuses to start without
it) and HTTPS redirection, HSTS and secure cookies are on unless turned off one by one. `make demo`
and `make test` (cobranza.config.settings_test) set a throwaway key and plain http explicitly.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

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

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Falta la variable de entorno SECRET_KEY: Cobranza no arranca en producción (DEBUG apagado) "
            'sin una clave secreta propia. Genere una con `python -c "import secrets; '
            'print(secrets.token_urlsafe(50))"` y expórtela como SECRET_KEY (ver docs/operations.md).'
        )
    SECRET_KEY = "inseguro-solo-para-desarrollo-con-DEBUG"
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
    "cobranza.outbox",  # background tasks stored before they are sent (survive a broker outage)
    "cobranza.security",
    "cobranza.employers",
    "cobranza.ledger",
    "cobranza.portfolio",
    "cobranza.cases",
    "cobranza.agreements",
    "cobranza.reports",
    "cobranza.documents",  # the register of every document issued (low layer: any app registers)
    "cobranza.desk",
    "cobranza.hygiene",
    "cobranza.legal",  # judicial referral, debt certificate, the legal unit's work (issue 11)
    "cobranza.publications",  # the list of resisting employers for the media (issue 11)
    "cobranza.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cobranza.security.middleware.SecurityHeadersMiddleware",  # CSP, no-store (not on static files)
    "cobranza.common.sanitize.InputSanitizingMiddleware",  # NUL anywhere: Spanish 400 (issue 10)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cobranza.security.middleware.SessionIdleTimeoutMiddleware",
    "cobranza.security.middleware.PasswordChangeRequiredMiddleware",
    "cobranza.common.middleware.AuditActorMiddleware",
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
    # WAL and a busy timeout let the web server and a command share the file; IMMEDIATE
    # transactions take the write lock when they begin, so a writer waits for the timeout instead
    # of failing at once with "database is locked" when two gunicorn workers write together.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's full set; the length depends on the role (12 for staff, cobranza.security.validators).
# Enforced by the password-change page and the admin's user forms alike.
COBRANZA_PASSWORD_MIN_LENGTH = env.int("COBRANZA_PASSWORD_MIN_LENGTH", default=12)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "cobranza.security.validators.RoleAwareMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# PBKDF2-SHA256 at Django 5.2's 1,000,000 iterations (~0.2-0.3 s per login on these machines,
# bench/README.md); a login happens once per session, so it does not dominate the load.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username+address pair after 5 failed logins for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# JSON for the API, the Spanish page for the rest; 429 with Retry-After (cobranza.security.lockout).
AXES_LOCKOUT_CALLABLE = "cobranza.security.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

LANGUAGE_CODE = "es"
LANGUAGES = [("es", "Español")]
# Spanish for third-party apps that ship none (django-axes in the admin): src/cobranza/locale/.
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
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

# Issued documents (cobranza.documents): the public address printed (and in the QR) on every
# certificate for the verification page /verificar/, and its throttle: wrong codes per address.
COBRANZA_PUBLIC_URL = env.str("COBRANZA_PUBLIC_URL", default="http://127.0.0.1:8000")
VERIFY_MAX_FAILURES = env.int("VERIFY_MAX_FAILURES", default=10)
VERIFY_WINDOW_SECONDS = env.int("VERIFY_WINDOW_SECONDS", default=15 * 60)

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [SRC_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# E-mail (letters e-mailed to employers, issue 14). The embedded default writes each message as a
# file under DATA_DIR/correo (django's file backend): nothing leaves the machine in the demo.
# Production: EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST,
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS / EMAIL_USE_SSL (README).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(DATA_DIR / "correo"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Recuperación Prejudicial ISSS <recuperacion@isss.gob.sv>"
)

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
# A broker that cannot be reached must cost a web request about a second, not Celery's default
# retries (19 s measured): one short connection attempt, no publish retry. What cannot be sent
# stays in the outbox (cobranza.outbox) and the beat task sends it again (docs/operations.md).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=3.0),
    "max_retries": 0,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_CONNECTION_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=3.0)
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # a worker started before Redis waits for it
OUTBOX_RETRY_AFTER_SECONDS = env.int("OUTBOX_RETRY_AFTER_SECONDS", default=30)
OUTBOX_KEEP_SENT_DAYS = env.int("OUTBOX_KEEP_SENT_DAYS", default=7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# -- Security (issue 10; docs/operations.md) ------------------------------------------------------
# HTTPS everywhere unless turned off: on by default in production (DEBUG off). COBRANZA_HTTPS=0 is
# for plain-http loopback runs only (`make demo`, the test suite); each switch can also be set alone.
COBRANZA_HTTPS = env.bool("COBRANZA_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=COBRANZA_HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if COBRANZA_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=COBRANZA_HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=COBRANZA_HTTPS)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=COBRANZA_HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=COBRANZA_HTTPS)
# Behind a reverse proxy that terminates TLS (nginx → gunicorn): trust its X-Forwarded-Proto.
if env.bool("COBRANZA_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Sessions end after COBRANZA_SESSION_IDLE_MINUTES without a request (30); each request renews
# them (at most one session write a minute: cobranza.security.middleware.SessionIdleTimeoutMiddleware).
COBRANZA_SESSION_IDLE_MINUTES = env.int("COBRANZA_SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = COBRANZA_SESSION_IDLE_MINUTES * 60

# API tokens (cobranza.api.models): lifetime and how many a user may hold at once.
COBRANZA_API_TOKEN_TTL_HOURS = env.int("COBRANZA_API_TOKEN_TTL_HOURS", default=8)
COBRANZA_API_TOKEN_MAX_ACTIVE = env.int("COBRANZA_API_TOKEN_MAX_ACTIVE", default=5)

# Content-Security-Policy of every answer: self only, every asset is a local static file. The
# templates carry no inline script, style element, style attribute or event handler.
COBRANZA_CSP = env.str(
    "COBRANZA_CSP",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
)
