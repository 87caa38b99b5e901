"""JSON Lines and JSON documents, as a stream of ``(line, record)`` pairs.

One loop serves every JSON-shaped format (arXiv snapshot, Semantic Scholar, OpenAlex, Hugging Face,
citekg's own papers and extraction records). Accepted layouts:

- JSON Lines: one record per line, streamed line by line;
- a JSON array of records;
- an object wrapping the records in a ``data`` or ``results`` list (the Semantic Scholar and OpenAlex
  API responses), on one line or pretty-printed, one or many per file;
- a single record as one JSON object.

Records of a JSON document get the line where they start. A syntax error in a JSON document cannot be
skipped (nothing after it can be trusted), so it always raises; in JSON Lines only that line is lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from typing import Any

from citekg.model import Paper
from citekg.readers._source import RecordError, Source

__all__ = ["WRAPPER_KEYS", "first_record", "iter_records", "read_json_papers"]

WRAPPER_KEYS = ("data", "results")
_DECODER = json.JSONDecoder()
_WS = re.compile(r"\s*")

Converter = Callable[[dict[str, Any], str], Paper]


def _wrapped(obj: Any) -> list[Any] | None:
    """Return the record list an API response wraps, or ``None`` when ``obj`` is a record itself."""
    if isinstance(obj, dict):
        for key in WRAPPER_KEYS:
            value = obj.get(key)
            if isinstance(value, list) and "title" not in obj and "id" not in obj:
                return value
    return None


def _json_reason(exc: json.JSONDecodeError) -> str:
    return f"not valid JSON: {exc.msg} (column {exc.colno})"


def iter_records(src: Source) -> Generator[tuple[int, Any], None, None]:
    """Yield ``(line, value)`` for every record of a JSON or JSON Lines file.

    Values are returned as parsed; callers check that each is an object. A JSON Lines line that is not
    valid JSON goes through :meth:`Source.invalid` (raise or skip).

    Raises:
        InputError: A JSON document is not valid JSON, or a JSON Lines line is not and
            ``skip_invalid`` is off.
    """
    lines = src.lines()
    for number, text in lines:
        stripped = text.strip()
        if not stripped:
            continue
        if stripped.startswith("{"):
            try:
                first = json.loads(stripped)
            except json.JSONDecodeError:
                first = None
            if isinstance(first, dict):
                yield from _expand(number, first)
                yield from _json_lines(src, lines)
                return
        if src.name.endswith((".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")):
            yield from _json_lines(src, _chain(number, text, lines))
            return
        rest = "\n".join(t for _, t in lines)
        yield from _document(src, "\n" * (number - 1) + text + "\n" + rest)
        return


def _chain(number: int, text: str, rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield number, text
    yield from rest


def _expand(number: int, obj: Any) -> Iterator[tuple[int, Any]]:
    wrapped = _wrapped(obj)
    if wrapped is None:
        yield number, obj
    else:
        for item in wrapped:
            yield number, item


def _json_lines(src: Source, lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, Any]]:
    for number, text in lines:
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            src.invalid(_json_reason(exc), number)
            continue
        yield from _expand(number, obj)


def _document(src: Source, text: str) -> Iterator[tuple[int, Any]]:
    """Walk a whole JSON document, yielding records with the line each starts on."""
    scanner = _Scanner(src, text)
    pos = scanner.skip(0)
    if text.startswith("[", pos):
        yield from scanner.array(pos)
    elif text.startswith("{", pos):
        yield from scanner.object(pos)
    else:
        value, scanner.end = scanner.decode(pos)
        yield scanner.line(pos), value
    # Anything but whitespace after the document is an error, like json.loads would say.
    end = scanner.skip(scanner.end)
    if end < len(text):
        raise src.error(f"not valid JSON: Extra data (column {scanner.column(end)})", scanner.line(end))


class _Scanner:
    """Position-keeping JSON walker built on :meth:`json.JSONDecoder.raw_decode`."""

    def __init__(self, src: Source, text: str) -> None:
        self.src = src
        self.text = text
        self.end = 0
        self._line_pos = 0
        self._line_no = 1

    def line(self, pos: int) -> int:
        # Positions only move forward, so count newlines incrementally.
        if pos < self._line_pos:
            self._line_pos, self._line_no = 0, 1
        self._line_no += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line_no

    def column(self, pos: int) -> int:
        return pos - self.text.rfind("\n", 0, pos)

    def skip(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def decode(self, pos: int) -> tuple[Any, int]:
        try:
            return _DECODER.raw_decode(self.text, pos)
        except json.JSONDecodeError as exc:
            raise self.src.error(_json_reason(exc), exc.lineno) from None

    def expect(self, pos: int, chars: str, what: str) -> int:
        pos = self.skip(pos)
        if pos >= len(self.text) or self.text[pos] not in chars:
            # Let the stdlib phrase the error exactly as json.loads would.
            try:
                json.loads(self.text)
            except json.JSONDecodeError as exc:
                raise self.src.error(_json_reason(exc), exc.lineno) from None
            raise self.src.error(f"not valid JSON: expecting {what}", self.line(pos))
        return pos

    def array(self, pos: int) -> Iterator[tuple[int, Any]]:
        pos = self.skip(pos + 1)
        if self.text.startswith("]", pos):
            self.end = pos + 1
            return
        while True:
            pos = self.skip(pos)
            start = pos
            value, pos = self.decode(pos)
            yield from _expand(self.line(start), value)
            pos = self.expect(pos, ",]", "',' or ']'")
            if self.text[pos] == "]":
                self.end = pos + 1
                return
            pos += 1

    def object(self, pos: int) -> Iterator[tuple[int, Any]]:
        start = pos
        members: dict[str, Any] = {}
        found_list = False
        pos = self.skip(pos + 1)
        if self.text.startswith("}", pos):
            self.end = pos + 1
            yield self.line(start), members
            return
        while True:
            pos = self.expect(pos, '"', "a property name")
            key, pos = self.decode(pos)
            pos = self.expect(pos, ":", "':'") + 1
            pos = self.skip(pos)
            if key in WRAPPER_KEYS and self.text.startswith("[", pos) and not found_list:
                found_list = True
                yield from self.array(pos)
                pos = self.end
                members[key] = []
            else:
                members[key], pos = self.decode(pos)
            pos = self.expect(pos, ",}", "',' or '}'")
            if self.text[pos] == "}":
                self.end = pos + 1
                break
            pos += 1
        if found_list and ("title" in members or "id" in members):
            # It was a record that happens to have a "data"/"results" list, not an API wrapper.
            raise self.src.error(
                f"a record with a {'/'.join(WRAPPER_KEYS)!r} list is ambiguous; "
                "give one record per line (JSON Lines)",
                self.line(start),
            )
        if not found_list:
            yield self.line(start), members


def first_record(src: Source) -> tuple[int, Any] | None:
    """Return the first record of a JSON file, or ``None`` if it holds none."""
    with closing(iter_records(src)) as records:
        for line, record in records:
            return line, record
    return None


def read_json_papers(src: Source, convert: Converter) -> Iterator[Paper]:
    """Yield a :class:`Paper` per record using ``convert(record, source)``.

    ``convert`` raises :class:`RecordError` for a malformed record; that goes through
    :meth:`Source.invalid` with the record's line.
    """
    for line, record in iter_records(src):
        if not isinstance(record, dict):
            src.invalid(f"record is a JSON {_json_type(record)}, not an object", line)
            continue
        try:
            yield convert(record, src.where(line))
        except RecordError as exc:
            src.invalid(str(exc), line)


def _json_type(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")
