"""Signals the core sends when a catalogue record changes (the search index listens)."""

from django.dispatch import Signal

#: Sent inside the saving transaction with ``record=`` after any create/update/transition/delete.
record_changed = Signal()
