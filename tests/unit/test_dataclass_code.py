"""Dataclass methods compiled once and kept between runs (app.dataclass_code, issue 16): the
methods made from kept code are the ones Python's own ``exec`` makes, and a fresh process
with the file compiles none of the app's."""
import dataclasses
import json
import marshal
import subprocess
import sys
from pathlib import Path

import pytest

from app.dataclass_code import HEADER, DataclassCode

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def writes_bytecode(monkeypatch):
    """As Python does by default (this machine's shell may set PYTHONDONTWRITEBYTECODE)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def make_classes():
    @dataclasses.dataclass(frozen=True)
    class Cell:
        sheet: str
        row: int = 3
        notes: tuple = dataclasses.field(default_factory=tuple)

    @dataclasses.dataclass(order=True)
    class Figure:
        value: float
        cell: Cell | None = None

    return Cell, Figure


METHODS = ("__init__", "__repr__", "__eq__", "__setattr__", "__delattr__", "__hash__", "__lt__", "__ge__")


def codes(*classes) -> list:
    """The code of each method dataclasses wrote (``__repr__`` inside reprlib's guard)."""
    return [getattr(vars(cls)[name], "__wrapped__", vars(cls)[name]).__code__
            for cls in classes for name in METHODS if callable(vars(cls).get(name))]


@pytest.fixture
def stock_exec():
    yield
    vars(dataclasses).pop("exec", None)  # back to the builtin


def test_methods_from_kept_code_are_the_ones_python_compiles(tmp_path, stock_exec):
    stock = make_classes()
    first = DataclassCode(tmp_path / "code.marshal")
    first.install()
    compiled = make_classes()
    assert len(first.new) == 13 and first.used == set()  # Cell: 6 (frozen); Figure: 7 (order: 4 comparisons)
    first.save()
    second = DataclassCode(tmp_path / "code.marshal")
    second.install()
    loaded = make_classes()
    assert second.new == {} and len(second.used) == 13  # nothing compiled: every method from the file
    assert codes(*stock) == codes(*compiled) == codes(*loaded) and len(codes(*stock)) == 11
    Cell, Figure = loaded
    cell = Cell("Sheet1")
    assert repr(cell).endswith(".Cell(sheet='Sheet1', row=3, notes=())")
    assert (cell == Cell("Sheet1", 3, ()), hash(cell) == hash(Cell("Sheet1")), cell.notes) == (True, True, ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        cell.row = 4
    assert sorted([Figure(2.0), Figure(1.0)]) == [Figure(1.0), Figure(2.0)]


def test_it_compiles_with_the_future_flags_of_its_caller_as_exec_does(tmp_path):
    source = "def f(x: int) -> str: return str(x)\n"
    code = DataclassCode(tmp_path / "code.marshal")
    found = []
    for future in ("", "from __future__ import annotations\n"):
        for run in (exec, code.exec):
            namespace = {}
            exec(compile(f"{future}run(source, namespace)\n", "<caller>", "exec", dont_inherit=True),
                 {"run": run, "source": source, "namespace": namespace})
            found.append(namespace["f"].__annotations__)
    assert found == [{"x": int, "return": str}] * 2 + [{"x": "int", "return": "str"}] * 2
    assert list(code.new) == [source]  # only what a caller with no flags compiled is kept


def test_a_file_it_cannot_read_is_ignored_and_replaced(tmp_path, stock_exec):
    path = tmp_path / "code.marshal"
    for unreadable in (b"", b"not marshal at all", HEADER + b"\x00garbage", b"\x00\x00\x00\x00" + marshal.dumps({})):
        path.write_bytes(unreadable)
        code = DataclassCode(path)
        assert code.kept == {}
        code.install()
        make_classes()
        code.save()
        assert len(DataclassCode(path).kept) == 13


def test_a_folder_it_cannot_write_only_means_nothing_is_kept(tmp_path, stock_exec):
    (tmp_path / "instance").write_text("a file where the folder would be")
    code = DataclassCode(tmp_path / "instance" / "code.marshal")
    code.install()
    make_classes()
    code.save()  # no error: the methods were made, and are simply compiled again next time
    assert sorted(p.name for p in tmp_path.iterdir()) == ["instance"] and code.new == {}


def test_nothing_is_written_where_python_is_asked_to_write_no_bytecode(tmp_path, stock_exec, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # PYTHONDONTWRITEBYTECODE=1, or python -B
    code = DataclassCode(tmp_path / "code.marshal")
    code.install()
    make_classes()
    code.save()
    assert list(tmp_path.iterdir()) == [] and len(code.new) == 13


def test_code_no_process_uses_any_more_is_dropped_once_the_file_is_full(tmp_path, stock_exec, monkeypatch):
    path = tmp_path / "code.marshal"
    path.write_bytes(HEADER + marshal.dumps({f"# code since edited {n}": b"" for n in range(20)}))
    monkeypatch.setattr("app.dataclass_code.MAX_KEPT", 25)
    code = DataclassCode(path)
    code.install()
    make_classes()  # 13 new: 33 in all, over 25
    code.save()
    assert len(DataclassCode(path).kept) == 13  # this process's only
    code = DataclassCode(path)
    code.install()
    make_classes()
    code.save()  # nothing new: the file is left as it is
    assert len(DataclassCode(path).kept) == 13 and len(code.used) == 13


def test_the_entry_point_keeps_the_apps_dataclass_code_and_the_next_start_compiles_none_of_it(tmp_path):
    script = ("import json, sys, wsgi\nfrom app.dataclass_code import default_path\n"
              "print(json.dumps([str(default_path()), len(wsgi.dataclass_code.new), len(wsgi.dataclass_code.used)]))")
    env = {"PATH": "/usr/bin:/bin", "FLASK_SQLALCHEMY_DATABASE_URI": "sqlite://"}

    def start():
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                             env=env).stdout
        return json.loads(out.splitlines()[-1])

    path, _, _ = start()  # writes the file if this checkout has none yet
    assert Path(path).parent == ROOT / "app" / "__pycache__"
    path, compiled, from_file = start()
    # The dataclasses of the modules a start imports (and its libraries' after the entry point): 565 methods
    # since the ingest pipeline and the workbook writers load on first use.
    assert compiled == 0 and from_file > 500
