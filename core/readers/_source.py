"""One input file as the readers see it: checked, decoded, streamed line by line.

Every reader goes through :class:`Source`, so that a missing, empty, binary, gzipped or
wrongly-encoded file is reported the same way whatever its format, and so that per-record problems
either raise or are recorded in the :class:`ReadReport` (``skip_invalid``). Standard library only.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

from citekg.errors import InputError

__all__ = ["ReadReport", "RecordError", "Source"]

logger = logging.getLogger(__name__)

_GZIP_MAGIC = b"\x1f\x8b"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = "\ufeff"
_SNIFF_BYTES = 8192
# Control bytes that never occur in text; tab, LF, CR and form feed do.
_BINARY_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}


@dataclass
class ReadReport:
    """What happened while reading; pass one in to collect counts over several files.

    Attributes:
        records: Records read (papers yielded by the format reader plus records skipped).
        papers: Papers yielded after merging duplicates.
        duplicates: Records merged into an earlier record with the same id.
        skipped: ``(file, line, reason)`` for every record left out under ``skip_invalid``.
    """

    records: int = 0
    papers: int = 0
    duplicates: int = 0
    skipped: list[tuple[str, int | None, str]] = field(default_factory=list)


class RecordError(ValueError):
    """Raised by a record converter: this one record is malformed (the reason is the message)."""


@dataclass
class Source:
    """An input file plus the policy for bad records.

    Attributes:
        path: The file to read.
        name: The path as the user gave it, used in messages and ``Paper.source``.
        skip_invalid: Record bad records in ``report`` and go on instead of raising.
        report: Where skipped records are recorded.
    """

    path: Path
    name: str
    skip_invalid: bool = False
    report: ReadReport = field(default_factory=ReadReport)

    @classmethod
    def open(
        cls, path: str | Path, *, skip_invalid: bool = False, report: ReadReport | None = None
    ) -> Source:
        """Check that ``path`` is a readable file and wrap it.

        Raises:
            InputError: The file does not exist, is a directory or cannot be read.
        """
        name = str(path)
        p = Path(path)
        if not p.exists():
            raise InputError(name, "no such file")
        if p.is_dir():
            raise InputError(name, "is a directory, not a file")
        return cls(p, name, skip_invalid, report if report is not None else ReadReport())

    def where(self, line: int | None) -> str:
        """Return ``Paper.source`` for a record at ``line``."""
        return f"{self.name}:{line}" if line is not None else self.name

    def error(self, reason: str, line: int | None = None) -> InputError:
        """Return (not raise) an :class:`InputError` about this file."""
        return InputError(self.name, reason, line=line)

    def invalid(self, reason: str, line: int | None) -> None:
        """Handle one bad record: raise, or record it and return when ``skip_invalid`` is set.

        Raises:
            InputError: Unless ``skip_invalid`` is set.
        """
        if not self.skip_invalid:
            raise self.error(reason, line)
        logger.info("skipping %s: %s", self.where(line), reason)
        self.report.skipped.append((self.name, line, reason))

    def _open_binary(self) -> IO[bytes]:
        try:
            with self.path.open("rb") as probe:
                gzipped = probe.read(2) == _GZIP_MAGIC
            stream = cast(IO[bytes], gzip.open(self.path, "rb") if gzipped else self.path.open("rb"))
        except OSError as exc:
            raise self.error(f"cannot read: {exc.strerror or exc}") from None
        # Binary files rarely go a few KB without a NUL byte, and may have no line break before one.
        try:
            head = stream.read(_SNIFF_BYTES)
            stream.seek(0)
        except (OSError, EOFError, zlib.error) as exc:
            stream.close()
            raise self.error(f"not a valid gzip file ({exc})") from None
        if head[:2] in _UTF16_BOMS:
            stream.close()
            raise self.error("file is UTF-16 encoded; re-encode it as UTF-8 (e.g. with iconv)")
        if (nul := head.find(b"\x00")) >= 0:
            stream.close()
            raise self.error(f"not a text file (binary data at byte {nul})")
        return stream

    def lines(self) -> Generator[tuple[int, str], None, None]:
        """Yield ``(line number, text)`` for every line, line ending removed.

        The UTF-8 byte-order mark is dropped, ``.gz`` content is decompressed, and the file is checked
        as it streams: binary data, bytes that are not UTF-8, and a file with nothing but whitespace
        raise :class:`InputError`.

        Raises:
            InputError: The file is empty, binary, not UTF-8, or a broken gzip stream.
        """
        offset = 0
        content = False
        with self._open_binary() as stream:
            try:
                for number, raw in enumerate(stream, start=1):
                    text = self._decode(raw, offset, number)
                    if number == 1 and text.startswith(_UTF8_BOM):
                        text = text[1:]
                    offset += len(raw)
                    text = text.rstrip("\r\n")
                    content = content or bool(text.strip())
                    yield number, text
            except (OSError, EOFError, zlib.error) as exc:
                raise self.error(f"not a valid gzip file ({exc})") from None
        if not content:
            raise self.error("file is empty")

    def text(self) -> str:
        """Return the whole file as one string with ``\\n`` line endings (checked as :meth:`lines`)."""
        return "\n".join(text for _, text in self.lines())

    def _decode(self, raw: bytes, offset: int, line: int) -> str:
        nul = raw.find(b"\x00")
        if nul >= 0:
            raise self.error(f"not a text file (binary data at byte {offset + nul})")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            at = offset + exc.start
            if any(b in _BINARY_BYTES for b in raw):
                raise self.error(f"not a text file (binary data at byte {at})") from None
            bad = raw[exc.start]
            raise self.error(
                f"not UTF-8 text: byte 0x{bad:02x} at byte {at} cannot be decoded; "
                "re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
                line,
            ) from None
