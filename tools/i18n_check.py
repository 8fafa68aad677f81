#!/usr/bin/env python3
"""Check (and optionally compile) CoopAtlas's interface translations.

Run from the repository root with the project's virtual environment::

    .venv/bin/python tools/i18n_check.py            # counts per language; exit 1 on any problem
    .venv/bin/python tools/i18n_check.py --fresh    # also: would `make messages` add or drop strings?
    .venv/bin/python tools/i18n_check.py --compile  # write the .mo files with Babel (no GNU gettext needed)

Problems reported: untranslated or fuzzy messages, translations whose placeholders (``%(name)s``,
``{{ name }}``, bare ``%s``) differ from the source, a wrong number of plural forms, and .mo files
whose content differs from their .po. ``--fresh`` extracts the strings of the current source into a
temporary copy (GNU xgettext required) and lists the msgids that ``make messages`` would add or
remove, without touching the committed files. See docs/i18n.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "coopatlas"
LOCALE_DIR = PACKAGE / "locale"
#: Locale directory -> plural forms (the five translated UN languages; English is the source).
PLURAL_FORMS = {"fr": 2, "es": 2, "ar": 6, "zh_Hans": 1, "ru": 3}
MAKEMESSAGES_ARGS = ["--no-obsolete", "--ignore", "tests/*", "--ignore", "tests_browser/*"]

_NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_BARE = re.compile(r"(?<!%)(?:%%)*%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_TEMPLATE_VAR = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
#: Kept in step with test_translations_complete.BLOCKED_BY_SOURCE: labels wrongly flagged python-format
#: (so msgfmt refuses every translation in these languages) until their source is fixed.
BLOCKED_BY_SOURCE = {"Gap, % of the group ahead": {"ar", "zh_Hans", "ru"}}


def placeholders(text: str) -> tuple[frozenset[str], int, frozenset[str]]:
    without_named = _NAMED.sub("", text.replace("%%", ""))
    return frozenset(_NAMED.findall(text)), len(_BARE.findall(without_named)), frozenset(_TEMPLATE_VAR.findall(text))


def _forms(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (str(value),)


def _key(message_id: object, context: str | None) -> tuple[str | None, str]:
    singular = _forms(message_id)[0]
    if context is None and "\x04" in singular:
        context, singular = singular.split("\x04", 1)
    return context, singular


def _po(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"


def load_po(locale: str) -> Catalog:
    with _po(locale).open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def check(locale: str) -> tuple[int, list[str], list[str]]:
    """(number of messages, problems, notes) for one language."""
    catalog = load_po(locale)
    messages = [m for m in catalog if m.id]
    problems: list[str] = []
    notes: list[str] = []
    if catalog.fuzzy:
        problems.append("the header entry is marked fuzzy")
    for m in messages:
        label = repr(_forms(m.id)[0])
        strings = _forms(m.string)
        if m.fuzzy:
            problems.append(f"fuzzy: {label}")
        if not all(strings):
            if locale in BLOCKED_BY_SOURCE.get(_forms(m.id)[0], ()) and "python-format" in m.flags and not any(strings):
                notes.append(f"{label} stays untranslated until its source stops being flagged python-format")
            else:
                problems.append(f"untranslated: {label}")
            continue
        if m.pluralizable and len(strings) != PLURAL_FORMS[locale]:
            problems.append(f"{len(strings)} plural forms instead of {PLURAL_FORMS[locale]}: {label}")
        expected = {placeholders(source) for source in _forms(m.id)}
        for form in strings:
            if placeholders(form) not in expected:
                problems.append(f"placeholders differ: {label} -> {form!r}")
    mo_path = _po(locale).with_suffix(".mo")
    if not mo_path.exists():
        problems.append("django.mo is missing: compile the catalogues")
    else:
        with mo_path.open("rb") as handle:
            mo = {_key(m.id, m.context): _forms(m.string) for m in read_mo(handle) if m.id}
        po = {_key(m.id, m.context): _forms(m.string) for m in messages if not m.fuzzy and all(_forms(m.string))}
        stale = [key[1] for key in po.keys() | mo.keys() if po.get(key) != mo.get(key)]
        if stale:
            problems.append(f"django.mo is out of date for {len(stale)} message(s): compile the catalogues")
    return len(messages), problems, notes


def compile_with_babel() -> None:
    """Write each .mo from its .po with Babel (same content as GNU msgfmt; fuzzy entries left out)."""
    for locale in PLURAL_FORMS:
        catalog = load_po(locale)
        with _po(locale).with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)
        print(f"{locale}: compiled {sum(1 for m in catalog if m.id)} messages")


def fresh_msgids() -> dict[str, tuple[set, set]]:
    """Per language: (msgids makemessages would add, msgids it would drop), from a temporary copy."""
    if not shutil.which("xgettext"):
        raise SystemExit("--fresh needs GNU gettext (xgettext, msgmerge): apt-get install gettext")
    with tempfile.TemporaryDirectory(prefix="coopatlas-i18n-") as tmp:
        copy = Path(tmp) / "coopatlas"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
        (Path(tmp) / "i18n_check_settings.py").write_text(
            "from pathlib import Path\nfrom coopatlas.settings import *  # noqa: F403\n"
            f"LOCALE_PATHS = [Path({str(copy / 'locale')!r})]\n"
        )
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([tmp, str(ROOT / "src")]),
               "DJANGO_SETTINGS_MODULE": "i18n_check_settings"}
        languages = [arg for locale in PLURAL_FORMS for arg in ("-l", locale)]
        subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "-m", "django", "makemessages", *languages, *MAKEMESSAGES_ARGS, "-v", "0"],
            cwd=copy, env=env, check=True,
        )
        result = {}
        for locale in PLURAL_FORMS:
            with (copy / "locale" / locale / "LC_MESSAGES" / "django.po").open("rb") as handle:
                fresh = {_key(m.id, m.context) for m in read_po(handle) if m.id}
            committed = {_key(m.id, m.context) for m in load_po(locale) if m.id}
            result[locale] = (fresh - committed, committed - fresh)
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compile", action="store_true", help="write the .mo files with Babel first")
    parser.add_argument("--fresh", action="store_true", help="compare with a fresh extraction (needs xgettext)")
    args = parser.parse_args(argv)
    if args.compile:
        compile_with_babel()
    failed = False
    for locale in PLURAL_FORMS:
        count, problems, notes = check(locale)
        print(f"{locale}: {count} messages, {len(problems)} problem(s)")
        for note in notes:
            print(f"  note: {note}")
        for problem in problems[:50]:
            print(f"  {problem}")
        failed = failed or bool(problems)
    if args.fresh:
        for locale, (added, dropped) in fresh_msgids().items():
            print(f"{locale}: a fresh `make messages` would add {len(added)} and drop {len(dropped)} message(s)")
            for _context, msgid in sorted(added, key=str)[:50]:
                print(f"  + {msgid!r}")
            for _context, msgid in sorted(dropped, key=str)[:50]:
                print(f"  - {msgid!r}")
            failed = failed or bool(added or dropped)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
