"""The layers hold (docs/adr/0018-layers.md): the import-linter contract, no cross-app import
inside a function, no module over 600 lines, and the hook and panel registry that replaces
upward imports."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from keel.platform import hooks

ROOT = Path(__file__).resolve().parent.parent


def _checker(name: str = "check_function_imports") -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_cross_app_import_is_placed_inside_a_function() -> None:
    assert _checker().main() == 0


def test_the_checker_flags_a_cross_app_import_inside_a_function_and_nothing_else() -> None:
    source = (
        "from keel.platform import hooks\n"
        "def f():\n"
        "    from keel.impact.services import note_change\n"
        "    from . import queries\n"
        "    import weasyprint\n"
        "class A:\n"
        "    def g(self):\n"
        "        import keel.risks.queries\n"
    )
    found = _checker().offences_in(source, Path("keel/aisystems/services.py"))
    assert found == [
        "keel/aisystems/services.py:3: imports keel.impact.services inside a function",
        "keel/aisystems/services.py:8: imports keel.risks.queries inside a function",
    ]


def test_no_module_of_keel_passes_600_lines() -> None:
    assert _checker("check_module_size").problems() == []


def test_the_size_check_flags_a_long_module_and_a_stale_exception_but_not_tests(tmp_path: Path) -> None:
    size = _checker("check_module_size")
    (tmp_path / "keel" / "app" / "tests").mkdir(parents=True)
    (tmp_path / "keel" / "app" / "migrations").mkdir()
    (tmp_path / "keel" / "app" / "long.py").write_text("x = 1\n" * 601)
    (tmp_path / "keel" / "app" / "short.py").write_text("x = 1\n" * 600)
    (tmp_path / "keel" / "app" / "tests" / "test_long.py").write_text("x = 1\n" * 900)
    (tmp_path / "keel" / "app" / "migrations" / "0001_initial.py").write_text("x = 1\n" * 900)

    assert size.problems(tmp_path, allowed={}) == [
        "keel/app/long.py: 601 lines (limit 600): split it by concern"
    ]
    assert size.problems(tmp_path, allowed={"keel/app/long.py": "why", "keel/app/short.py": "why"}) == [
        "keel/app/short.py: 600 lines, no longer over 600: remove it from ALLOWED"
    ]


def test_the_layer_contract_is_kept() -> None:
    lint_imports = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    if not Path(lint_imports).exists():
        pytest.skip("import-linter is not installed")
    proc = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "1 kept, 0 broken" in proc.stdout


def test_a_hook_or_page_that_is_not_declared_is_refused() -> None:
    with pytest.raises(LookupError, match=r"Unknown hook 'aisystem\.stage_chnaged'"):
        hooks.call("aisystem.stage_chnaged")
    with pytest.raises(LookupError, match="Unknown page"):
        hooks.render_panels("no_such_page", None, None)  # type: ignore[arg-type]


def test_registering_twice_runs_once_and_results_come_in_registration_order() -> None:
    calls: list[str] = []

    def first(*, kind: str) -> None:
        calls.append("first")

    def second(*, kind: str) -> str:
        calls.append("second")
        return "labels"

    before = hooks.registered("choice_labels")
    try:
        hooks.register("choice_labels", first)
        hooks.register("choice_labels", first)
        hooks.register("choice_labels", second)
        results = hooks.call("choice_labels", kind="nothing-registers-this")
        assert calls == ["first", "second"]
        assert results[-2:] == [None, "labels"]
    finally:
        hooks._hooks["choice_labels"] = before


def test_the_apps_above_register_what_the_pages_below_draw() -> None:
    assert [p.template for p in hooks.panels_for("requirement_detail")] == [
        "controls/_requirement_panel.html",
        "mapping/_requirement_panel.html",
        "documents/_requirement_panel.html",
        "evidence/_requirement_panel.html",
        "aisystems/_requirement_panel.html",
    ]
    assert [p.template for p in hooks.panels_for("aisystem_detail")] == [
        "impact/_aisystem_panel.html",
        "aiact/_aisystem_panel.html",
        "risks/_aisystem_panel.html",
        "support/_aisystem_documents.html",
        "changes/_aisystem_panel.html",
    ]
    assert [p.template for p in hooks.panels_for("control_detail")] == [
        "evidence/_control_panel.html",
        "risks/_control_panel.html",
        "soa/_control_panel.html",
    ]
    assert [p.template for p in hooks.panels_for("asset_detail")] == ["risks/_asset_panel.html"]
    assert len(hooks.registered("roles.assignments")) == 1
    assert len(hooks.registered("aisystem.changed")) == 4  # risks, impact, incidents (drift), then aiact
