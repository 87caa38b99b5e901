"""The bulk writer's ledger: what a big build has loaded so far, on disk, so Python memory stays small.

:class:`~citekg.graph.bulk.BulkWriter` loads papers batch by batch; the passes at the end (entity
resolution and labels, late citations, builds-on) need facts about every paper written. Keeping them in
Python would grow with the corpus, and querying them back from Oxigraph is slow (a scan of every mention
joins five triple patterns), so they go to a SQLite file next to the staging store:

- ``records``: every input record (id, content digest, the paper node it went into, and where its
  marshalled copy sits in the spill file, for re-merging when a later record of the same paper arrives);
- ``keys``: identity key → paper node, to find merges and cited papers across batches;
- ``forms``, ``aliases``: surface-form counts and alias evidence per entity key (labels, resolution);
- ``roles``: the best confidence of each paper's ``proposed``/``used`` mentions per entity (builds-on);
- ``pending``: references whose cited paper was not (yet) in the graph when they were written;
- ``merges``: the merged papers, for the report.

A batch's rows are committed only after its triples are loaded, so the ledger never claims more than
the store holds; a batch whose load was interrupted is simply written again (triples are a set).
Standard library only.
"""

from __future__ import annotations

import builtins
import hashlib
import marshal
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from citekg.model import Extraction, Link, Mention, Paper

__all__ = ["Ledger", "pack", "unpack"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS records (id TEXT, digest BLOB, node TEXT, offset INTEGER, length INTEGER,
    PRIMARY KEY (id, digest));
CREATE INDEX IF NOT EXISTS records_node ON records (node);
CREATE TABLE IF NOT EXISTS keys (key TEXT PRIMARY KEY, node TEXT);
CREATE INDEX IF NOT EXISTS keys_node ON keys (node);
CREATE TABLE IF NOT EXISTS forms (kind TEXT, key TEXT, form TEXT, n INTEGER, PRIMARY KEY (kind, key, form));
CREATE TABLE IF NOT EXISTS aliases (kind TEXT, surface TEXT, key TEXT, n INTEGER,
    PRIMARY KEY (kind, surface, key));
CREATE TABLE IF NOT EXISTS roles (entity TEXT, paper TEXT, role TEXT, confidence REAL,
    PRIMARY KEY (entity, paper, role));
CREATE INDEX IF NOT EXISTS roles_paper ON roles (paper);
CREATE TABLE IF NOT EXISTS pending (cited TEXT, citing TEXT, title TEXT, source TEXT, evidence TEXT,
    certain INTEGER);
CREATE INDEX IF NOT EXISTS pending_citing ON pending (citing);
CREATE TABLE IF NOT EXISTS merges (node TEXT PRIMARY KEY, merged TEXT, by TEXT);
"""

# SQLite's default limit on host parameters in one statement is 999 on old builds.
_IN_CHUNK = 900


def pack(extraction: Extraction) -> bytes:
    """Serialise an extraction losslessly and fast (marshal of plain tuples; about 7 µs a paper)."""
    p = extraction.paper
    return marshal.dumps(
        (
            (
                p.id,
                p.title,
                p.abstract,
                p.authors,
                p.year,
                p.venue,
                p.url,
                p.ids,
                p.references,
                p.links,
                p.source,
            ),
            tuple(
                (
                    m.paper_id,
                    m.label,
                    m.text,
                    m.start,
                    m.end,
                    m.field,
                    m.key,
                    m.role,
                    m.confidence,
                    m.extractor,
                )
                for m in extraction.mentions
            ),
            tuple(
                (lk.url, lk.normalized, lk.kind, lk.host, lk.repo, lk.start, lk.end, lk.field)
                for lk in extraction.links
            ),
            extraction.references,
            extraction.extractor_version,
        )
    )


def unpack(data: bytes) -> Extraction:
    """Inverse of :func:`pack`."""
    paper, mentions, links, references, version = marshal.loads(data)
    return Extraction(
        Paper(*paper),
        tuple(Mention(*m) for m in mentions),
        tuple(Link(*lk) for lk in links),
        references,
        version,
    )


def digest(data: bytes) -> bytes:
    """A short content digest of a packed record: re-writing the same record is then a no-op."""
    return hashlib.blake2b(data, digest_size=12).digest()


class Ledger:
    """The SQLite ledger and spill file of one bulk build (see the module notes).

    Writes go into an open transaction that :meth:`commit` ends; the connection sees its own
    uncommitted rows, so lookups for the next batch see the batch before it.
    """

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.db = sqlite3.connect(folder / "ledger.sqlite", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")
        self._spill = open(folder / "spill.bin", "ab")  # noqa: SIM115 - open for the ledger's lifetime
        self._spill_read: Any = None

    def close(self) -> None:
        """Roll back what is not committed and close the files."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        self.db.close()
        self._spill.close()
        if self._spill_read is not None:
            self._spill_read.close()

    def commit(self) -> None:
        """Make every row written since the last commit durable (call after the batch's load)."""
        self._spill.flush()
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def rollback(self) -> None:
        """Forget every row written since the last commit (their batch failed to load)."""
        self.db.execute("ROLLBACK")
        self.db.execute("BEGIN")

    # -- meta ---------------------------------------------------------------------------------------

    def get(self, name: str) -> str | None:
        """A value of the ``meta`` table."""
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set(self, name: str, value: str) -> None:
        """Set a value of the ``meta`` table."""
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    # -- records and keys ---------------------------------------------------------------------------

    def _in(self, sql: str, values: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
        """Run ``sql`` with ``{}`` replaced by a list of placeholders, over chunks of ``values``."""
        for start in range(0, len(values), _IN_CHUNK):
            chunk = values[start : start + _IN_CHUNK]
            yield from self.db.execute(sql.format(",".join("?" * len(chunk))), chunk)

    # `builtins.set` in annotations: inside this class, `set` is the method above.
    def known_records(self, pairs: Iterable[tuple[str, bytes]]) -> builtins.set[tuple[str, bytes]]:
        """Which ``(record id, digest)`` pairs are already written."""
        pairs = list(pairs)
        ids = sorted({record_id for record_id, _ in pairs})
        found = set(self._in("SELECT id, digest FROM records WHERE id IN ({})", ids))
        return {pair for pair in pairs if pair in found}

    def loaded(self, ids: Iterable[str]) -> builtins.set[str]:
        """Which of these record ids are written."""
        return {
            row[0] for row in self._in("SELECT DISTINCT id FROM records WHERE id IN ({})", sorted(set(ids)))
        }

    def nodes_of_keys(self, keys: Iterable[str]) -> dict[str, str]:
        """Identity key → paper node id, for the keys already written."""
        return dict(self._in("SELECT key, node FROM keys WHERE key IN ({})", sorted(set(keys))))

    def add_records(self, rows: Iterable[tuple[str, bytes, str, bytes]]) -> None:
        """Spill and register records given as ``(id, digest, node, packed)``."""
        spill = self._spill
        entries = []
        for record_id, record_digest, node, data in rows:
            offset = spill.tell()
            spill.write(data)
            entries.append((record_id, record_digest, node, offset, len(data)))
        self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?)", entries)

    def originals(self, node: str) -> list[Extraction]:
        """Every input record that went into paper ``node``, in the order written."""
        return self.originals_of([node]).get(node, [])

    def originals_of(self, nodes: Iterable[str]) -> dict[str, list[Extraction]]:
        """:meth:`originals` of many papers at once (one query, the spill read in file order)."""
        rows = sorted(
            self._in("SELECT node, rowid, offset, length FROM records WHERE node IN ({})", sorted(set(nodes)))
        )
        self._spill.flush()
        if self._spill_read is None:
            self._spill_read = open(self.folder / "spill.bin", "rb")  # noqa: SIM115
        found: dict[str, list[Extraction]] = {}
        for node, _, offset, length in rows:
            self._spill_read.seek(offset)
            found.setdefault(node, []).append(unpack(self._spill_read.read(length)))
        return found

    def move_node(self, old: str, new: str) -> None:
        """Re-point the records and keys of paper ``old`` to ``new`` (a re-merge), dropping its facts."""
        self.db.execute("UPDATE records SET node = ? WHERE node = ?", (new, old))
        self.db.execute("UPDATE keys SET node = ? WHERE node = ?", (new, old))
        self.db.execute("DELETE FROM merges WHERE node = ?", (old,))
        self.db.execute("DELETE FROM pending WHERE citing = ?", (old,))

    def set_keys(self, rows: Iterable[tuple[str, str]]) -> None:
        """Register ``(identity key, node)`` pairs."""
        self.db.executemany("INSERT OR REPLACE INTO keys VALUES (?, ?)", rows)

    def node_count(self) -> int:
        """How many paper nodes the written records make."""
        return int(self.db.execute("SELECT COUNT(DISTINCT node) FROM records").fetchone()[0])

    def record_count(self) -> int:
        """How many input records are written."""
        return int(self.db.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    # -- entity facts -------------------------------------------------------------------------------

    def add_forms(self, counts: Iterable[tuple[str, str, str, int]]) -> None:
        """Add ``(kind, key, form, count)``; negative counts take mentions away (a re-merged paper)."""
        self.db.executemany(
            "INSERT INTO forms VALUES (?, ?, ?, ?) "
            "ON CONFLICT (kind, key, form) DO UPDATE SET n = n + excluded.n",
            counts,
        )

    def add_aliases(self, counts: Iterable[tuple[str, str, str, int]]) -> None:
        """Add ``(kind, surface key, key, count)`` alias evidence (negative to take it away)."""
        self.db.executemany(
            "INSERT INTO aliases VALUES (?, ?, ?, ?) "
            "ON CONFLICT (kind, surface, key) DO UPDATE SET n = n + excluded.n",
            counts,
        )

    def add_roles(self, rows: Iterable[tuple[str, str, str, float]]) -> None:
        """Record ``(entity, paper, role, confidence)``, keeping the best confidence."""
        self.db.executemany(
            "INSERT INTO roles VALUES (?, ?, ?, ?) ON CONFLICT (entity, paper, role) "
            "DO UPDATE SET confidence = MAX(confidence, excluded.confidence)",
            rows,
        )

    def drop_roles(self, paper: str) -> None:
        """Forget the roles of one paper node (IRI)."""
        self.db.execute("DELETE FROM roles WHERE paper = ?", (paper,))

    def forms(self) -> Iterator[tuple[str, str, str, int]]:
        """Every ``(kind, key, form, count)`` with a positive count."""
        return iter(self.db.execute("SELECT kind, key, form, n FROM forms WHERE n > 0"))

    def alias_evidence(self) -> list[tuple[str, str, str]]:
        """Every ``(kind, surface key, key)`` still backed by a mention."""
        return list(self.db.execute("SELECT kind, surface, key FROM aliases WHERE n > 0 ORDER BY 1, 2, 3"))

    def proposers(self) -> Iterator[tuple[str, str]]:
        """Every ``(entity, paper)`` where the paper proposes the entity."""
        return iter(self.db.execute("SELECT entity, paper FROM roles WHERE role = 'proposed'"))

    def roles_of(self, entities: Sequence[str]) -> list[tuple[str, str, str, float]]:
        """Every ``(entity, paper, role, confidence)`` row of these entities."""
        return list(
            self._in("SELECT entity, paper, role, confidence FROM roles WHERE entity IN ({})", entities)
        )

    # -- references -----------------------------------------------------------------------------------

    def add_pending(self, rows: Iterable[tuple[str, str, str | None, str, str, bool]]) -> None:
        """Record ``(cited id, citing node, title, source, evidence, certain)`` not resolved when written."""
        self.db.executemany("INSERT INTO pending VALUES (?, ?, ?, ?, ?, ?)", rows)

    def resolved_pending(self) -> Iterator[tuple[str, str, str, str | None, str, str, int]]:
        """Pending references whose cited id is now a key of a paper: ``(cited, owner, citing, …)``.

        A cursor (streamed); do not commit while iterating it.
        """
        return iter(
            self.db.execute(
                "SELECT p.cited, k.node, p.citing, p.title, p.source, p.evidence, p.certain "
                "FROM pending p JOIN keys k ON k.key = p.cited ORDER BY 1, 3, 5, 6"
            )
        )

    # -- merges ---------------------------------------------------------------------------------------

    def set_merge(self, node: str, merged: Sequence[str], by: str) -> None:
        """Record that the records ``merged`` became paper ``node``."""
        self.db.execute("INSERT OR REPLACE INTO merges VALUES (?, ?, ?)", (node, "\n".join(merged), by))

    def merges(self) -> list[tuple[str, list[str], str]]:
        """Every merge as ``(node, merged ids, by)``."""
        rows = self.db.execute("SELECT node, merged, by FROM merges ORDER BY node")
        return [(node, merged.split("\n"), by) for node, merged, by in rows]
