"""Settings checked before anything is sent (issue 27, items 4 and 6): each mistake is one line and
exit 2, no request reaches the endpoint, and a password in a base URL is never repeated."""

from __future__ import annotations

import pytest
import yaml

from pipeline.cli import main
from pipeline.run.cassette import without_userinfo

PASSWORD = "hunter2-secret-pw"


def _one_line_exit_2(capsys, argv: list[str]) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2, captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("paperbrief: "), captured.err
    assert "Traceback" not in captured.err
    return lines[0]


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/v1", "not a url", "ftp://127.0.0.1/v1", "http://:80/v1",
                                 "http://127.0.0.1:0/v1", "http://127.0.0.1:port/v1"])
def test_a_base_url_that_is_not_an_http_url_with_a_valid_port_is_refused(samples, tmp_path, fake_model, capsys, url):
    line = _one_line_exit_2(capsys, ["run", str(samples), "-o", str(tmp_path / "out"), "--base-url", url,
                                     "--api-key", "k"])
    assert "base_url" in line
    assert not fake_model.requests and not (tmp_path / "out" / "report.md").exists()


@pytest.mark.parametrize("where", ["flag", "environment", "config"])
def test_a_base_url_with_user_information_is_refused_and_never_repeated(samples, tmp_path, fake_model, capsys,
                                                                        monkeypatch, where):
    url = fake_model.base_url.replace("http://", f"http://alice:{PASSWORD}@")
    argv = ["-v", "run", str(samples), "-o", str(tmp_path / "out"), "--api-key", "k"]
    if where == "flag":
        argv += ["--base-url", url]
    elif where == "environment":
        monkeypatch.setenv("OPENAI_BASE_URL", url)
    else:
        config = tmp_path / "paperbrief.yaml"
        config.write_text(yaml.safe_dump({"base_url": url}))
        monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    line = _one_line_exit_2(capsys, argv)
    assert "user information" in line and PASSWORD not in line and "alice" not in line
    assert not fake_model.requests


def test_status_refuses_user_information_too(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "runs.sqlite").write_bytes(b"")
    line = _one_line_exit_2(capsys, ["status", str(out), "--base-url", f"http://u:{PASSWORD}@127.0.0.1:9/v1"])
    assert PASSWORD not in line


def test_a_cassette_uri_never_keeps_user_information():
    assert without_userinfo(f"http://user:{PASSWORD}@127.0.0.1:8080/v1/chat/completions?x=1") == \
        "http://127.0.0.1:8080/v1/chat/completions?x=1"
    assert without_userinfo("http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080/v1"


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_a_timeout_must_be_finite(samples, tmp_path, fake_model, capsys, value):
    line = _one_line_exit_2(capsys, ["run", str(samples), "-o", str(tmp_path / "out"), "--base-url", fake_model.base_url,
                                     "--api-key", "k", f"--timeout={value}"])
    assert "timeout" in line
    assert not fake_model.requests


def test_repair_needs_batch(samples, tmp_path, standin, capsys):
    line = _one_line_exit_2(capsys, ["run", str(samples), "-o", str(tmp_path / "out"), "--repair", "live",
                                     "--base-url", standin.base_url, "--api-key", "k"])
    assert "--repair" in line and "--batch" in line
    assert not standin.requests


@pytest.mark.parametrize("placeholder", ["{abstract:d}", "{abstract:>400000000}", "{paper.x}", "{a[0]}",
                                         "{abstract!r}", "{title", "{abstract:{title}}"])
def test_a_prompt_placeholder_must_be_a_bare_name(samples, tmp_path, fake_model, capsys, placeholder):
    prompt = tmp_path / "prompt.yaml"
    prompt.write_text(yaml.safe_dump({"id": "p", "version": "1", "system": "You brief papers.",
                                      "user": f"Abstract: {placeholder}\n{{header_text}}"}))
    line = _one_line_exit_2(capsys, ["run", str(samples), "-o", str(tmp_path / "out"), "--prompt", str(prompt),
                                     "--base-url", fake_model.base_url, "--api-key", "k"])
    assert str(prompt) in line and "user" in line
    assert not fake_model.requests
