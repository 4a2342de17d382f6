"""The floor: what any checker of these files must at least do. Run by bench/run.py.

    python bench/floor.py read ROOT    # read every ticket file's bytes
    python bench/floor.py parse ROOT   # read and parse each with libyaml (yaml.load, CSafeLoader)
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml


def main(argv: list[str]) -> int:
    mode, root = argv[0], Path(argv[1])
    files = sorted((root / "tickets").rglob("*.yaml"))
    total = 0
    for path in files:
        raw = path.read_bytes()
        if mode == "parse":
            total += len(yaml.load(raw, Loader=yaml.CSafeLoader))
        else:
            total += len(raw)
    print(f"{len(files)} files, {total}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
