"""Photos as evidence: hardened decoding (``ingest``) and the content-addressed store (``store``).

Nothing here imports Qt or the database; ``services/photos.py`` ties them to inspections.
"""
