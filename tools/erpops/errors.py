"""The one user-facing error, and the guard that turns anything else into a bug report."""
from __future__ import annotations

import errno
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


_NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EIO)  # a full disk or quota, a failing device


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
        if isinstance(err, OSError) and err.errno in _NO_ROOM:  # the machine's, not a bug: exit 2
            try:
                sys.stderr.write(t("cli.no-room", error=err.strerror + (f" ({err.filename})" if err.filename else "")) + "\n")
            except OSError:
                pass
            return 2
        log = _log_path()
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(traceback.format_exc(), encoding="utf-8")
        except OSError:
            log = Path("-")
        sys.stderr.write(t("cli.bug", error=f"{type(err).__name__}: {err}", log=log) + "\n")
        return 3
