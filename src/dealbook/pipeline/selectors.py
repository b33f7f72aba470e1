"""Reads, scoped to the acting user."""
