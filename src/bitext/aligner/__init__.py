"""Aligning sentence vectors: the dynamic program, anchors, fixed beads, scoring against gold."""
