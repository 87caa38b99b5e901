"""A build's checkpoint: the paper ids already written, so an interrupted build resumes where it stopped.

``citekg build`` writes its papers in batches; after each batch is in the store it appends the batch's
paper ids to ``<graph>/build-checkpoint/done.txt`` and flushes them to disk. Writing a paper twice is
harmless (the store's writes are idempotent), so a kill between a batch and its ids costs only that
batch again on the next run; an id is never recorded before its paper is stored. The checkpoint is
tied to the run that made it (``run.json``: the inputs with their sizes and modification times, and
the options that change the output): a different run, or changed inputs, start over. A finished build
removes its checkpoint. Standard library only.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["CHECKPOINT_DIR", "Checkpoint", "run_key"]

CHECKPOINT_DIR = "build-checkpoint"
_RUN = "run.json"
_DONE = "done.txt"


def run_key(paths: Sequence[Path], **options: Any) -> dict[str, Any]:
    """Return what identifies a build run: each input's path, size and mtime, plus ``options``.

    Examples:
        >>> run_key([], format=None)["options"]
        {'format': None}
    """
    inputs = []
    for path in paths:
        stat = path.stat()
        inputs.append({"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    return {"inputs": inputs, "options": options}


class Checkpoint:
    """The ids a build of one run has written so far, kept in a directory.

    Examples:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> ckpt = Checkpoint.open(root, {"run": 1})
        >>> ckpt.commit(["arxiv:1", "arxiv:2"])
        >>> ckpt.done  # what this run resumed from
        set()
        >>> sorted(Checkpoint.open(root, {"run": 1}).done)
        ['arxiv:1', 'arxiv:2']
        >>> Checkpoint.open(root, {"run": 2}).done  # another run starts over
        set()
    """

    def __init__(self, directory: Path, done: set[str], *, resumed: bool) -> None:
        self.directory = directory
        #: The ids written by the run this one resumes (empty for a fresh run).
        self.done = done
        #: Whether this continues a checkpoint of the same run (else it started empty).
        self.resumed = resumed

    @classmethod
    def open(cls, root: Path, key: dict[str, Any] | None, *, name: str = CHECKPOINT_DIR) -> Checkpoint:
        """Open the checkpoint in ``root/name``: resume it when it belongs to run ``key``, else start over.

        ``key=None`` always starts over.
        """
        directory = root / name
        run = directory / _RUN
        done: set[str] = set()
        try:
            same = key is not None and json.loads(run.read_text(encoding="utf-8")) == key
        except (OSError, ValueError):
            same = False
        if same:
            data = (directory / _DONE).read_bytes()
            # a line cut short by a kill has no newline: its batch was not finished recording
            whole = data[: data.rfind(b"\n") + 1]
            if len(whole) != len(data):
                with (directory / _DONE).open("r+b") as handle:
                    handle.truncate(len(whole))
            done = set(whole.decode("utf-8").splitlines())
        else:
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir(parents=True)
            (directory / _DONE).touch()
            partial = run.with_name(_RUN + ".partial")
            partial.write_text(json.dumps(key, sort_keys=True), encoding="utf-8")
            partial.replace(run)
        return cls(directory, done, resumed=same)

    def commit(self, ids: Iterable[str]) -> None:
        """Record ``ids`` as written, durably (call it after the store holds them).

        :attr:`done` stays what the run resumed from: the build already knows every id it wrote, and a
        second set of a million ids would only cost memory.
        """
        text = "".join(f"{i}\n" for i in ids)
        if not text:
            return
        with (self.directory / _DONE).open("a", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())

    def remove(self) -> None:
        """Delete the checkpoint: the build it belongs to is complete."""
        shutil.rmtree(self.directory, ignore_errors=True)
