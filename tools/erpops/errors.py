"""The one user-facing error, and the guard that turns anything else into a bug report."""
from __future__ import annotations

import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Callable

from erpops.i18n import t


class FatalError(Exception):
    """A problem the user can fix, already worded from the catalogue; exit 2."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _log_path() -> Path:
    base = os.environ.get("ERPOPS_LOG_DIR") or os.path.join(tempfile.gettempdir(), "erpops")
    return Path(base) / "erpops.log"


def guarded(run: Callable[[], int]) -> int:
    """Run a command: FatalError → its message and code, Ctrl-C → 130, anything else → 3 + log."""
    try:
        return run()
    except FatalError as err:
        sys.stderr.write(f"erpops: {err}\n")
        return err.code
    except KeyboardInterrupt:
        sys.stderr.write(t("cli.interrupted") + "\n")
        return 130
    except Exception as err:  # noqa: BLE001 - the last line of defence
        log = _log_path()
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(traceback.format_exc(), encoding="utf-8")
        except OSError:
            log = Path("-")
        sys.stderr.write(t("cli.bug", error=f"{type(err).__name__}: {err}", log=log) + "\n")
        return 3
