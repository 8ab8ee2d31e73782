"""Files in and out, one module a format behind one interface (:mod:`.registry`).

Documents in (:mod:`.plain`, :mod:`.docx`, :mod:`.html`, :mod:`.markdown`, :mod:`.subtitles`,
:mod:`.epub`, :mod:`.pdf`: a :class:`~.document.Document`), bilingual files in and out
(:mod:`.beads`: TSV, JSONL, beads; :mod:`.tmx`, :mod:`.xliff`, :mod:`.xlsx`), corpora out
(:mod:`.moses`), safe output writing (:mod:`.output`), the records of a batch folder
(:mod:`.summary`). Format libraries load only when a file of their format is read or written.
"""
