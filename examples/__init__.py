"""The bundled sample corpus: ``papers.jsonl``, real ML papers with abstracts written by citekg's authors."""
