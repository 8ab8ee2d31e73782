"""Outputs: bead formats (:mod:`.beads`) and safe output writing (:mod:`.output`)."""
