"""The `cobranza` console script: Django management commands behind one entry point.

`cobranza import payments FILE` is `django-admin import_data payments FILE` with the project's settings.
A configuration mistake in the environment (e.g. a malformed COBRANZA_BUSINESS_DATE) stops every
command at once with its Spanish message on stderr and exit code 1, no traceback.
"""

import os
import sys

ALIASES = {"import": "import_data"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cobranza.config.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings, which parse the environment
    except ImproperlyConfigured as error:
        sys.stderr.write(f"{error}\n")
        sys.exit(1)
    argv = sys.argv[1:]
    if argv and argv[0] in ALIASES:
        argv[0] = ALIASES[argv[0]]
    execute_from_command_line(["cobranza", *argv])


if __name__ == "__main__":
    main()
