"""Errors that help: a "did you mean" for a misspelt key, command or flag, the endpoint's URL in a
connection error (never the key), no empty quotes, and one language per message (English on the
terminal, Chinese in the report)."""

from __future__ import annotations

import asyncio
import json

import make_samples
import pytest

from pipeline.brief.validate import check, failed_checks
from pipeline.cli import build_parser, main
from pipeline.llm import LLMClient, LLMError
from pipeline.models import Paper, Report
from pipeline.render.report import report_markdown

PAPER = Paper(file="x.pdf", sha256="0" * 64, title="LatticeKV: Paged Key-Value Caches for Long-Context Inference",
              authors=["A B"], author_count=1, institutions=["Northlake University"], abstract="LatticeKV is fast.")


@pytest.mark.parametrize("text, meant", [("timout: 3\n", 'timout: unknown key; did you mean "timeout"?'),
                                         ("rules:\n  foot_body_shar: 0.3\n",
                                          'rules.foot_body_shar: unknown key; did you mean "foot_body_share"?')])
def test_a_misspelt_key_in_paperbrief_yaml_says_what_was_meant(samples, tmp_path, monkeypatch, capsys, text, meant):
    config = tmp_path / "paperbrief.yaml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    assert main(["rerun", str(samples / make_samples.SAMPLES[0].file), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert meant in err and "Extra inputs" not in err


@pytest.mark.parametrize("argv, meant", [(["rnu", "x"], '"run"'), (["run", "x", "--concurency", "3"], '"--concurrency"'),
                                         (["compare", "x", "--promt", "a.yaml"], '"--prompt"')])
def test_a_misspelt_command_or_flag_says_what_was_meant(capsys, argv, meant):
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(argv)
    assert stop.value.code == 2 and f"did you mean {meant}?" in capsys.readouterr().err


def test_a_connection_error_names_the_endpoint_and_never_the_key():
    client = LLMClient("http://127.0.0.1:9/v1", "sk-never-shown", timeout=2, attempts=1)

    async def call() -> str:
        try:
            await client.complete([{"role": "user", "content": "x"}], "m", {})
        except LLMError as exc:
            return str(exc)
        finally:
            await client.close()
        return ""

    said = asyncio.run(call())
    assert said == "connection to the endpoint http://127.0.0.1:9/v1/chat/completions failed"


def test_an_empty_subject_is_named_not_quoted():
    details = [r.detail for r in failed_checks(check("发布了LatticeKV论文，使用分页缓存，解决了内存瓶颈，达成了更快的推理。", PAPER))]
    assert details and not any("“”" in d for d in details)
    assert any("缺少发布机构" in d for d in details)


def test_a_failed_brief_is_english_on_the_terminal_and_chinese_in_the_report(samples, tmp_path, fake_model, capsys):
    bad = make_samples.SAMPLES[0]
    fake_model.always_off_template.add(bad.title)
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--base-url", fake_model.base_url, "--api-key", "k"]) == 1
    failed = [line for line in capsys.readouterr().err.splitlines() if "FAILED" in line]
    assert failed and all(line.isascii() for line in failed)
    report = Report.model_validate(json.loads((out / "report.json").read_text(encoding="utf-8")))
    line = next(x for x in report_markdown(report).splitlines() if x.startswith(f"- `{bad.file}`"))
    assert "（未通过检查）" in line and "brief failed" not in line
