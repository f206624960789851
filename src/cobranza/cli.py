"""The `cobranza` console script: Django management commands behind one entry point.

`cobranza import payments FILE` is `django-admin import_data payments FILE` with the project's settings.
"""

import os
import sys

ALIASES = {"import": "import_data"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cobranza.config.settings")
    from django.core.management import execute_from_command_line

    argv = sys.argv[1:]
    if argv and argv[0] in ALIASES:
        argv[0] = ALIASES[argv[0]]
    execute_from_command_line(["cobranza", *argv])


if __name__ == "__main__":
    main()
