"""The IATI importer: parse -> validate -> map -> upsert (in batches) -> report.

``import_files(paths, ImportConfig(...))`` streams each file with ``iati.safe_xml.iter_activities``
(one activity in memory at a time), validates each activity against the XSD of its IATI version
(``iati.validation``; schema-invalid activities are rejected, as the IATI Datastore does), maps it to
the canonical activity (``activity``), and writes batches of activities (``upsert``). See
docs/iati-import.md.
"""

from coopatlas.iati.importer.pipeline import ImportConfig, Progress, import_files
from coopatlas.iati.importer.report import FileReport, ImportReport

__all__ = ["FileReport", "ImportConfig", "ImportReport", "Progress", "import_files"]
