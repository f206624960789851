"""Settings of the test suite (pyproject: DJANGO_SETTINGS_MODULE): production's, with a throwaway
secret key and plain http (the browser tests' live server is http://localhost), set explicitly.

They go into the environment, so the `cobranza` commands that tests run as subprocesses get them
too. Tests of the production defaults run a subprocess without them (tests/common/test_security_settings.py).
"""

import os

os.environ.setdefault("SECRET_KEY", "pruebas-solamente-clave-desechable-0123456789-abcdefghijklmnop")
os.environ.setdefault("COBRANZA_HTTPS", "0")

from cobranza.config.settings import *  # noqa: E402,F403
