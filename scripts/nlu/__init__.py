"""Helpers for the reply-reader scripts (scoring in metrics.py)."""
