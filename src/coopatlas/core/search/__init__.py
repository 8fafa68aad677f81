"""Catalogue search: a denormalised index, two full-text engines behind one interface, facets.

Modules: ``service`` (``search(SearchParams.from_query(request.GET), request.user)`` and
``export_rows``), ``indexing`` (``index_record`` on every record change, ``reindex``), ``documents``
(what is indexed per record type), ``facets``, ``backends`` (SQLite FTS5 / PostgreSQL), ``text``
(query parsing, escaping, highlighting), ``schema`` (the engine-specific DDL). See docs/search.md.
"""
