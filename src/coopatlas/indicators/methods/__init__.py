"""Progress-assessment methods, each implementing a published methodology (see docs/methods/)."""
