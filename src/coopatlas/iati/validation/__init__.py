"""IATI validation: schema (XSD), IATI Rulesets and codelist rules, as the official IATI Validator.

Public API, used by the importer and by ``coopatlas validate_iati``:

- ``validate_activity(activity, version=None, context=None) -> list[Problem]``: one streamed activity;
- ``validate_file(path_or_file) -> Report``: a whole file, streamed (bounded memory);
- ``validate_document(path_or_file, version=None, rules=True) -> list[Problem]``: a small document in one piece.

See docs/iati-validation.md for what is checked, the sources and the known limits.
"""

from coopatlas.iati.validation.activity import ActivityContext, activity_identifier, validate_activity
from coopatlas.iati.validation.files import is_schema_valid, validate_document, validate_file, validate_files
from coopatlas.iati.validation.problems import Problem, Report

__all__ = [
    "ActivityContext",
    "Problem",
    "Report",
    "activity_identifier",
    "is_schema_valid",
    "validate_activity",
    "validate_document",
    "validate_file",
    "validate_files",
]
