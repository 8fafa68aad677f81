"""The ``coopatlas`` console command: Django's manage.py with CoopAtlas settings."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a Django management command with CoopAtlas settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopatlas.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
