"""Duplicate checking inside the application: the SQL store behind dedupe, import, review.

dedupe (the pure package) decides; this package fetches candidates through the blind-index
tables, decrypts only those, writes people, their index rows and review items, and keeps
merges reversible and audited.
"""
