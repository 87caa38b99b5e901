from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from citekg.errors import InputError
from citekg.readers import ReadReport, read_extractions, read_papers

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def data(tmp_path, monkeypatch):
    """Copies of the bad-input fixtures, addressed by bare name (as a user would type them)."""
    for path in DATA.iterdir():
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_malformed_json_line_raises_with_line_and_column(data):
    with pytest.raises(InputError) as exc:
        list(read_papers("bad-papers.jsonl"))
    assert str(exc.value) == "bad-papers.jsonl:3: not valid JSON: Expecting ',' delimiter (column 27)"
    assert (exc.value.path, exc.value.line) == ("bad-papers.jsonl", 3)


def test_skip_invalid_records_every_bad_record(data):
    report = ReadReport()
    papers = list(read_papers("bad-papers.jsonl", skip_invalid=True, report=report))
    assert [p.id for p in papers] == ["arxiv:1706.03762", "arxiv:1810.04805", "arxiv:1505.04597"]
    assert report.skipped == [
        ("bad-papers.jsonl", 3, "not valid JSON: Expecting ',' delimiter (column 27)"),
        ("bad-papers.jsonl", 5, "record has no title"),
        ("bad-papers.jsonl", 6, "field 'year' must be an integer, not 'soon'"),
        ("bad-papers.jsonl", 7, "record is a JSON array, not an object"),
    ]
    assert (report.records, report.papers) == (7, 3)


@pytest.mark.parametrize(
    "name, message",
    [
        ("empty.jsonl", "empty.jsonl: file is empty"),
        ("blank.csv", "blank.csv: file is empty"),
        ("binary.jsonl", "binary.jsonl: not a text file (binary data at byte 49)"),
        (
            "latin1.csv",
            "latin1.csv:3: not UTF-8 text: byte 0xf6 at byte 89 cannot be decoded; "
            "re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
        ),
        ("utf16.csv", "utf16.csv: file is UTF-16 encoded; re-encode it as UTF-8 (e.g. with iconv)"),
        (
            "no-title.csv",
            "no-title.csv:1: no title column in the header (saw: name, abstract, year); "
            "expected one of: title, paper_title",
        ),
        ("broken-quote.csv", "broken-quote.csv:2: not valid CSV: unexpected end of data"),
        ("broken-atom.xml", "broken-atom.xml:9: not valid XML: not well-formed (invalid token) (column 32)"),
        ("missing.jsonl", "missing.jsonl: no such file"),
        (
            "notes.dat",
            "notes.dat: cannot tell the format (extension '.dat', and the content matches no known "
            "layout); use --format with one of: trending, arxiv, s2, openalex, hf, citekg, bibtex, "
            "atom, csv, tsv, extractions",
        ),
    ],
)
@pytest.mark.parametrize("skip_invalid", [False, True])
def test_whole_file_problems_raise_even_when_skipping(data, name, message, skip_invalid):
    with pytest.raises(InputError) as exc:
        list(read_papers(name, skip_invalid=skip_invalid))
    assert str(exc.value) == message


def test_bad_rows_in_csv(data):
    with pytest.raises(InputError) as exc:
        list(read_papers("bad-rows.csv"))
    assert str(exc.value) == "bad-rows.csv:3: row has 4 fields but the header has 3"
    report = ReadReport()
    papers = list(read_papers("bad-rows.csv", skip_invalid=True, report=report))
    assert [p.title for p in papers] == [
        "Attention Is All You Need",
        "Adam: A Method for Stochastic Optimization",
    ]
    assert report.skipped == [
        ("bad-rows.csv", 3, "row has 4 fields but the header has 3"),
        ("bad-rows.csv", 4, "record has no title"),
    ]


def test_broken_bibtex_entry(data):
    reason = (
        "BibTeX entry @inproceedings{broken2019 could not be parsed (missing key, comma or closing brace?)"
    )
    with pytest.raises(InputError) as exc:
        list(read_papers("broken.bib"))
    assert str(exc.value) == f"broken.bib:6: {reason}"
    report = ReadReport()
    papers = list(read_papers("broken.bib", skip_invalid=True, report=report))
    assert [p.title for p in papers] == ["Attention is all you need"]
    assert report.skipped == [
        ("broken.bib", 6, reason),
        ("broken.bib", 10, "entry 'notitle2020' has no title"),
    ]


def test_directory_is_not_a_file(data):
    with pytest.raises(InputError, match="^sub: is a directory, not a file$"):
        read_papers((data / "sub").mkdir() or "sub")


def test_bad_format_for_content(data):
    with pytest.raises(InputError) as exc:
        list(read_papers("papers.csv", format="bibtex"))
    assert (
        str(exc.value) == "papers.csv: no BibTeX entries found (expected '@article{key, ...}' and the like)"
    )
    with pytest.raises(InputError) as exc:
        list(read_papers("papers.csv", format="s2"))
    assert str(exc.value) == "papers.csv:1: not valid JSON: Expecting value (column 1)"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            '[\n {"paperId": "a", "title": "x"},\n {"paperId": "b" "title": "y"}\n]\n',
            "x.json:3: not valid JSON: Expecting ',' delimiter (column 18)",
        ),
        (
            '[\n {"paperId": "a", "title": "x"}\n {"paperId": "b"}\n]\n',
            "x.json:3: not valid JSON: Expecting ',' delimiter (column 2)",
        ),
        (
            '{\n "data": [{"paperId": "a", "title": "x"}]\n}\ntrailing\n',
            "x.json:4: not valid JSON: Extra data (column 1)",
        ),
    ],
)
def test_json_document_errors_always_raise(data, text, message):
    Path("x.json").write_text(text)
    with pytest.raises(InputError) as exc:
        list(read_papers("x.json", format="s2", skip_invalid=True))
    assert str(exc.value) == message


def test_truncated_gzip(data):
    Path("cut.jsonl.gz").write_bytes(gzip.compress(Path("arxiv-snapshot.jsonl").read_bytes())[:300])
    with pytest.raises(InputError) as exc:
        list(read_papers("cut.jsonl.gz", format="arxiv"))
    assert str(exc.value).startswith("cut.jsonl.gz: not a valid gzip file (")


def test_nul_byte_after_the_first_block(data):
    Path("late.jsonl").write_bytes(b'{"id": "arxiv:1", "title": "x", "ids": {}}\n' * 300 + b"\x00\n")
    with pytest.raises(InputError) as exc:
        list(read_papers("late.jsonl"))
    assert str(exc.value) == "late.jsonl: not a text file (binary data at byte 12900)"


def test_extraction_file_errors(data):
    Path("ex.jsonl").write_text('{"id": "arxiv:1", "mentions": [], "links": []}\nnot json\n')
    with pytest.raises(InputError) as exc:
        list(read_extractions("ex.jsonl"))
    assert str(exc.value) == "ex.jsonl:2: not valid JSON: Expecting value (column 1)"
    with pytest.raises(InputError, match="^nothing.jsonl: no such file$"):
        read_extractions("nothing.jsonl")


def test_errors_are_raised_eagerly_for_missing_files_and_formats(data):
    # No iteration needed: the CLI can report these before starting a progress bar.
    with pytest.raises(InputError):
        read_papers("missing.csv")
    with pytest.raises(InputError):
        read_papers("notes.dat")


def test_no_title_json_record_message(data):
    Path("p.jsonl").write_text(json.dumps({"paperId": "a", "title": None}) + "\n")
    with pytest.raises(InputError) as exc:
        list(read_papers("p.jsonl"))
    assert str(exc.value) == "p.jsonl:1: record has no title"
