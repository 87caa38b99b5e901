"""One malloc arena for the whole process on glibc, set before any thread starts: a build's RSS grows less.

glibc gives threads that allocate at the same time arenas of their own (up to eight per core) and does not
hand memory freed in one arena to another, so a long build whose threads (the Dask client's, the bulk
loader's, the process pool's) allocate and free records batch after batch keeps growing. The CLI calls
:func:`limit_malloc_arenas` first thing, as ``MALLOC_ARENA_MAX=1`` in the environment would do: called
once threads have made arenas of their own, it made things worse. Measured in ``docs/performance.md``.
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["limit_malloc_arenas"]

#: glibc's ``mallopt`` parameter number for the arena cap (``malloc.h``).
M_ARENA_MAX = -8


def limit_malloc_arenas() -> bool:
    """Cap glibc's malloc arenas at one; say whether it did.

    It does nothing on other C libraries, nor when the environment sets ``MALLOC_ARENA_MAX`` (glibc has
    read that already, and the user chose it).
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):  # no confstr, or not a name this platform knows
        return False
    if not version or not version.startswith("glibc"):
        return False
    return bool(ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1))
