"""Compiled templates kept between builds: Jinja2's own bytecode cache, outside the repository.

Compiling the ~50 templates a build renders (Material's and ours) was a fifth of a rebuild after
one edit. Jinja2's FileSystemBytecodeCache keeps each template's code under the digest of its
name and source. Its default folder is the user's own: on Unix a folder in the system's
temporary directory that Jinja2 makes mode 0700 and refuses unless this user owns it; on Windows
the user's temporary directory. Nothing a pull request brings can be written there (unlike
.erpops-cache in the working tree), and CI (doccache.enabled) never uses it.

The same template compiles to different code under different settings (trim_blocks, finalize,
autoescape, extensions, and for our templates the filters constant folding may call), so each
environment's files are named by a digest of those settings and of the code that made them.
"""
from __future__ import annotations

import hashlib
import pickle

from jinja2 import Environment
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from erpops import doccache

_SETTINGS = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
             "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
             "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized")


class _UserCache(FileSystemBytecodeCache):
    """Jinja2's cache, except that a file it cannot read or write is as no file: a template is
    then compiled as without a cache (a full disk, a file cut short, another process's clear)."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _name(obj) -> str:
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"


def _autoescape(setting) -> str:
    """What decides, per template name, whether its code escapes: select_autoescape's closures of
    other extensions share one name, so their captured settings (strings and flags) are in too."""
    if not callable(setting):
        return repr(setting)
    return _name(setting) + repr([c.cell_contents for c in getattr(setting, "__closure__", None) or ()])


def settings_key(env: Environment, code: str) -> str:
    """A digest of what, besides a template's source, shapes the code it compiles to in `env`;
    `code`: a version of whatever supplies the environment's filters and tests."""
    parts = [repr(getattr(env, name)) for name in _SETTINGS]
    parts += [_name(env.finalize) if env.finalize is not None else "-", _autoescape(env.autoescape),
              _name(env.code_generator_class),
              ",".join(sorted(env.extensions)), code]
    parts += [f"{k}={_name(v)}" for k, v in sorted({**env.filters, **{"test " + k: v for k, v in env.tests.items()}}.items())]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def versions(*distributions: str) -> str:
    """The installed versions of `distributions` (what supplies a theme's filters and tests)."""
    from importlib import metadata

    found = []
    for name in distributions:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return ", ".join(found)


def attach(env: Environment, code: str) -> bool:
    """Give `env` the user's bytecode cache (not in CI, nor with ERPOPS_CACHE=0); whether it has it."""
    if not doccache.enabled() or env.bytecode_cache is not None:
        return env.bytecode_cache is not None
    try:
        env.bytecode_cache = _UserCache(pattern=f"__erpops_{settings_key(env, code)}_%s.cache")
    except (RuntimeError, OSError):  # no folder Jinja2 deems safe: compile as before
        return False
    return True
