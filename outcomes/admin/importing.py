"""Importing a meeting file from the admin (see outcomes.exchange)."""
