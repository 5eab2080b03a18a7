"""The methods Python writes for each dataclass, compiled once and kept between runs.

``@dataclass`` writes the source of ``__init__``, ``__repr__``, ``__eq__`` (and, frozen,
``__setattr__``, ``__delattr__``, ``__hash__``) and compiles each with ``exec``: for the
app's 190 dataclasses that is about 870 small compilations, an eighth of every start (about
0.06 s of ``import wsgi``, measured with ``bench/start``). Python 3.13 does fewer; 3.11 does
them all again in every process.

``DataclassCode.install`` gives the ``dataclasses`` module an ``exec`` that compiles each
source text the way ``exec`` would (as ``"<string>"``, with the ``__future__`` flags of
the code calling it: none, in the ``dataclasses`` module) and keeps the code object,
marshalled, by its exact source text; ``save`` writes them beside the app's own bytecode
(``app/__pycache__``: the code folder, trusted as Python trusts its ``.pyc`` files there;
never the instance folder, which holds data), and the next process reads them back instead
of compiling. The functions made are the same — same code, same globals, same
defaults — because the code object is the one the same ``compile`` gave (marshal keeps
code objects exactly), looked up by the whole text (no hash that could collide). The file
is named for the Python version and optimisation level whose code it holds; one that
cannot be read is ignored and replaced. Installed only by a process's entry point
(``wsgi.py``), like the collector's freeze; everything else (tests) compiles as Python does.
"""
import __future__
import builtins
import contextlib
import dataclasses
import marshal
import os
import sys
from importlib.util import MAGIC_NUMBER
from pathlib import Path

BYTECODE = Path(__file__).resolve().parent / "__pycache__"
HEADER = MAGIC_NUMBER + bytes([sys.flags.optimize])
# The flags of a caller's ``from __future__ import …`` that exec passes on (CPython's PyCF_MASK).
FUTURE_FLAGS = sum(getattr(__future__, name).compiler_flag for name in __future__.all_feature_names
                   if name not in ("nested_scopes", "generators"))  # always on: no flag passed on
MAX_KEPT = 4_000  # sources (the app and pandas use about 1,000): past it, a save keeps what this process used


class DataclassCode:
    def __init__(self, path: Path):
        self.path = path
        self.kept = self._read()  # source text -> marshalled code object
        self.used: set[str] = set()
        self.new: dict[str, bytes] = {}

    def _read(self) -> dict[str, bytes]:
        try:
            data = self.path.read_bytes()
            if data.startswith(HEADER):
                kept = marshal.loads(data[len(HEADER):])
                if isinstance(kept, dict):
                    return kept
        except (OSError, ValueError, EOFError, TypeError):
            pass
        return {}

    def exec(self, source, globals=None, locals=None):  # exec's own parameters
        if isinstance(source, str):
            text = source
            flags = sys._getframe(1).f_code.co_flags & FUTURE_FLAGS  # what exec would take from its caller
            kept = None if flags else self.kept.get(text)
            if kept is not None:
                source = marshal.loads(kept)
                self.used.add(text)
            else:
                source = compile(text, "<string>", "exec", flags, dont_inherit=True)
                if not flags:  # (never, from dataclasses: kept only as the common case)
                    self.new[text] = marshal.dumps(source)
        return builtins.exec(source, globals, locals)

    def install(self) -> None:
        dataclasses.exec = self.exec  # a module global: found before the builtin, by dataclasses only

    def save(self) -> None:
        """Write what was compiled since the last save (with what another process may have
        written meanwhile), atomically; nothing if nothing new, if the folder is read-only, or
        if Python was asked to write no bytecode (``PYTHONDONTWRITEBYTECODE``, ``-B``): this
        is bytecode too."""
        if not self.new or sys.dont_write_bytecode:
            return
        kept = {**self._read(), **self.kept}
        if len(kept) + len(self.new) > MAX_KEPT:
            kept = {text: kept[text] for text in self.used if text in kept}
        self.kept, self.new = {**kept, **self.new}, {}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(HEADER + marshal.dumps(self.kept))
            os.replace(tmp, self.path)  # several workers starting at once: each file is whole
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def default_path() -> Path:
    """Named for the Python and the optimisation level (``-O``) whose code it holds, as
    ``.pyc`` files are, so processes run with and without ``-O`` keep a file each."""
    level = f".opt-{sys.flags.optimize}" if sys.flags.optimize else ""
    return BYTECODE / f"dataclass-code.{sys.implementation.cache_tag}{level}.marshal"
