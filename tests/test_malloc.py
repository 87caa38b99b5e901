"""The CLI caps glibc's malloc arenas at one before any thread starts (``citekg._malloc``)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

GLIBC = sys.platform.startswith("linux") and (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
CALL = "from citekg._malloc import limit_malloc_arenas; print(limit_malloc_arenas())"


def _call(**env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env
    result = subprocess.run(
        [sys.executable, "-c", CALL], capture_output=True, text=True, env=environ, check=True
    )
    return result.stdout.strip()


@pytest.mark.skipif(not GLIBC, reason="mallopt(M_ARENA_MAX) is glibc's")
def test_limit_malloc_arenas_sets_the_cap_on_glibc() -> None:
    assert _call() == "True"


def test_limit_malloc_arenas_leaves_an_environment_setting_alone() -> None:
    assert _call(MALLOC_ARENA_MAX="4") == "False"


def test_main_limits_the_arenas_before_running_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import citekg._malloc
    from citekg.cli import main

    calls: list[str] = []
    monkeypatch.setattr(citekg._malloc, "limit_malloc_arenas", lambda: calls.append("mallopt") or True)
    monkeypatch.setattr(sys, "argv", ["citekg", "--help"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 0
    assert calls == ["mallopt"]
