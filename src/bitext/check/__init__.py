"""Checking a translation: coverage, suspects, unmatched sentences, terms and glossaries."""
