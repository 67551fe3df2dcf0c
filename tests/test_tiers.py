"""The quick tier stays quick: a test that starts a process or waits real seconds is marked `slow`, and
no plugin that is not ours is loaded into every worker."""

from __future__ import annotations

import ast
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
# a child process, a fresh interpreter, or a stand-in told to answer late, hang or wait
SLOW_SIGNS = re.compile(r"subprocess\.|Popen|sys\.executable|_modules_after\(|foreground\.command|\.latency\s*=\s*0?\.?[1-9]"
                        r"|hang_s\s*=|_late\s*=\s*[1-9]")


def _quick_tests():
    for path in sorted(HERE.glob("test_*.py")):
        source = path.read_text(encoding="utf-8")
        if re.search(r"^pytestmark\s*=.*slow", source, re.M):
            continue
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and \
                    not any("slow" in ast.get_source_segment(source, d) for d in node.decorator_list):
                yield f"{path.name}::{node.name}", ast.get_source_segment(source, node)


def test_a_test_that_starts_a_process_or_waits_is_marked_slow():
    unmarked = [name for name, body in _quick_tests() if SLOW_SIGNS.search(body)]
    assert not unmarked, f"start a process or wait real seconds, and are not marked slow: {unmarked}"


def test_langsmiths_pytest_plugin_is_not_loaded(request):
    """It comes with langchain-core and costs each worker 1.6 s of imports; no test uses it."""
    assert not request.config.pluginmanager.has_plugin("langsmith_plugin")
