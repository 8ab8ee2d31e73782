"""Showing results: HTML report, review page, notebook display, plots, DataFrames, reading outputs back."""
