"""The layout of the package: folders that follow the pipeline's stages, imports that run one way.

Every module of ``src/bitext`` belongs to a stage (its folder; a few modules at the top). The
imports, read with ``ast`` (nothing is imported), must form a graph without a loop, where

- a module-level import (``TYPE_CHECKING`` blocks included) goes to the same stage or a lower one;
- an import inside a function (a lazy import) that goes to a higher stage is one of
  :data:`UPWARD`: a record's rendering (``to_html``, ``to_pandas``, ``__repr__``, ``_repr_html_``)
  that finds its view at call time.

docs/architecture.md draws the same layout.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "bitext"

# low to high; a module may import its own stage and the stages before it
STAGES = [
    "utilities",
    "text",
    "formats",
    "embed",
    "aligner",
    "pipeline",
    "check",
    "views",
    "batch",
    "match",
    "cli",
    "face",
]

# the modules at the top of the package, and the stage of each
TOP = {
    "bitext": "face",
    "bitext.pipeline": "pipeline",
    "bitext.bilingual": "pipeline",  # a bilingual file's units as an Alignment
    "bitext._version": "utilities",
    "bitext._process": "utilities",
}

# lazy imports that go up a stage: (importer, imported, the function that imports)
UPWARD = {
    ("bitext.pipeline", "bitext.views.frames", "to_pandas"),
    ("bitext.pipeline", "bitext.views.display", "__repr__"),
    ("bitext.pipeline", "bitext.views.display", "_repr_html_"),
    ("bitext.check.records", "bitext.views.report", "to_html"),
    ("bitext.check.records", "bitext.views.frames", "to_pandas"),
    ("bitext.check.records", "bitext.views.display", "__repr__"),
    ("bitext.check.records", "bitext.views.display", "_repr_html_"),
}
RENDERINGS = {"to_html", "to_pandas", "__repr__", "_repr_html_"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "data" not in p.relative_to(PACKAGE).parts}


def stage(mod: str) -> str:
    if mod in TOP:
        return TOP[mod]
    parts = mod.split(".")
    assert len(parts) >= 2 and parts[1] in STAGES, f"{mod}: not in a stage's folder, nor one of the top modules"
    return parts[1]


def imports(mod: str, path: Path) -> list[tuple[str, str | None, int]]:
    """``(imported module, the function that imports it or None at module level, line)``."""
    tree = ast.parse(path.read_text("utf-8"))
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    known = modules()
    out = []

    def target(base: str, name: str) -> str:
        return f"{base}.{name}" if f"{base}.{name}" in known else base

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - child.level + 1])
                    base = f"{base}.{child.module}" if child.module else base
                else:
                    base = child.module or ""
                if base == "bitext" or base.startswith("bitext."):
                    out.extend((target(base, a.name), function, child.lineno) for a in child.names)
            elif isinstance(child, ast.Import):
                out.extend(
                    (a.name, function, child.lineno)
                    for a in child.names
                    if a.name == "bitext" or a.name.startswith("bitext.")
                )
            visit(child, inner)

    visit(tree, None)
    return out


def edges() -> list[tuple[str, str, str | None, int]]:
    return [
        (mod, imported, function, line)
        for mod, path in modules().items()
        for imported, function, line in imports(mod, path)
        if imported != mod
    ]


def test_every_module_sits_in_a_stage():
    top = sorted(m for m, p in modules().items() if p.parent == PACKAGE and p.name != "__init__.py")
    assert top == sorted(m for m in TOP if m != "bitext"), "a module at the top of the package: give it a folder"
    for mod in modules():
        stage(mod)
    for folder in STAGES[1:-1]:
        if folder != "pipeline":
            assert (PACKAGE / folder / "__init__.py").is_file(), folder


def test_module_level_imports_go_down():
    wrong = [
        f"{mod}:{line} imports {imp} ({stage(mod)} < {stage(imp)})"
        for mod, imp, function, line in edges()
        if function is None and STAGES.index(stage(imp)) > STAGES.index(stage(mod))
    ]
    assert not wrong, "\n".join(wrong)


def test_lazy_imports_go_up_only_to_render():
    up = {
        (mod, imp, function): line
        for mod, imp, function, line in edges()
        if function is not None and STAGES.index(stage(imp)) > STAGES.index(stage(mod))
    }
    wrong = [
        f"{mod}:{line} imports {imp} in {function}()"
        for (mod, imp, function), line in up.items()
        if (mod, imp, function) not in UPWARD
    ]
    assert not wrong, "\n".join(wrong)
    assert set(up) == UPWARD, f"allowlist entries no import needs: {UPWARD - set(up)}"
    assert {function for _, _, function in UPWARD} <= RENDERINGS


def test_no_import_loop():
    graph: dict[str, set[str]] = {m: set() for m in modules()}
    for mod, imp, function, _ in edges():
        if (mod, imp, function) not in UPWARD:
            graph[mod].add(imp)
    done: set[str] = set()

    def walk(node, path):
        if node in path:
            loop = path[path.index(node) :] + [node]
            pytest.fail("import loop: " + " -> ".join(loop))
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            walk(nxt, path + [node])
        done.add(node)

    for m in sorted(graph):
        walk(m, [])


# the package faces: they gather names from their modules for the user
FACES = {"bitext", "bitext.batch", "bitext.match"}


def defined(path: Path) -> set[str]:
    """The names a module defines itself (functions, classes, assignments), not those it imports."""
    names: set[str] = set()

    def visit(body):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field, []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(ast.parse(path.read_text("utf-8")).body)
    return names


def test_imports_name_the_module_that_defines_the_name():
    """No shims: outside the package faces, a name is imported from the module that defines it
    (src, tests and bench alike)."""
    known = modules()
    root = PACKAGE.parents[1]
    files = [*known.values(), *sorted((root / "tests").glob("*.py")), *sorted((root / "bench").glob("*.py"))]
    wrong = []
    for path in files:
        mod = module_name(path) if path.is_relative_to(PACKAGE) else None
        package = None if mod is None else mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            if not base.startswith("bitext") or base in FACES:
                continue
            if base not in known:
                wrong.append(f"{path.relative_to(root)}:{node.lineno}: no module {base}")
                continue
            wrong += [
                f"{path.relative_to(root)}:{node.lineno}: {base} does not define {a.name}"
                for a in node.names
                if f"{base}.{a.name}" not in known and a.name not in defined(known[base])
            ]
    assert not wrong, "\n".join(wrong)


def test_the_checks_see_a_loop_and_an_upward_import(tmp_path, monkeypatch):
    """The walk itself: a module-level import of a view from a record is caught."""
    src = (PACKAGE / "check" / "records.py").read_text("utf-8")
    fake = tmp_path / "bitext"
    for p in PACKAGE.rglob("*.py"):
        q = fake / p.relative_to(PACKAGE)
        q.parent.mkdir(parents=True, exist_ok=True)
        q.write_text(p.read_text("utf-8"), "utf-8")
    (fake / "check" / "records.py").write_text("from ..views.display import report_html\n" + src, "utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    with pytest.raises(AssertionError, match="records:1 imports bitext.views.display"):
        test_module_level_imports_go_down()
    with pytest.raises(pytest.fail.Exception, match="import loop"):
        test_no_import_loop()
