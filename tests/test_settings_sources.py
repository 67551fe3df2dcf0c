"""Settings sources by pydantic-settings: the defaults, then paperbrief.yaml (or PAPERBRIEF_CONFIG), then
the environment, then the flags, each over the one before; the checks the hand-written order made stay."""

from __future__ import annotations

import pytest

from pipeline.settings import Settings, SettingsError


def test_settings_are_pydantic_settings_with_the_commands_sources_in_order(tmp_path, monkeypatch):
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

    assert issubclass(Settings, BaseSettings)
    config = tmp_path / "paperbrief.yaml"
    config.write_text("model: from-file\ntitle: 文件标题\nconcurrency: 3\nbase_url: http://127.0.0.1:9/v1\n", encoding="utf-8")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    monkeypatch.setenv("PAPERBRIEF_MODEL", "from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8/v1")
    seen: list[str] = []
    hook = Settings.settings_customise_sources.__func__

    def spy(cls, *args, **kwargs):
        sources = hook(cls, *args, **kwargs)
        seen.extend(type(s).__name__ for s in sources)
        assert all(isinstance(s, PydanticBaseSettingsSource) for s in sources)
        return sources

    monkeypatch.setattr(Settings, "settings_customise_sources", classmethod(spy))
    settings = Settings.build(concurrency=5)
    assert seen == ["InitSettingsSource", "EnvironmentSource", "ConfigFileSource"]
    assert (settings.concurrency, settings.model, settings.base_url, settings.title) == (5, "from-env", "http://127.0.0.1:8/v1", "文件标题")
    assert settings.timeout == 60.0  # the default under them all
    assert Settings.build(model="from-flag").model == "from-flag"


def test_a_settings_object_made_directly_reads_no_environment_and_no_file(tmp_path, monkeypatch):
    config = tmp_path / "paperbrief.yaml"
    config.write_text("title: 不读\n", encoding="utf-8")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    monkeypatch.setenv("OPENAI_API_KEY", "env-key")
    monkeypatch.setenv("PAPERBRIEF_MODEL", "env-model")
    direct = Settings(concurrency=2)
    assert (direct.api_key, direct.model, direct.title, direct.concurrency) == (None, None, "论文技术分析报告", 2)
    assert Settings.build().api_key == "env-key"


def test_only_three_environment_variables_are_read_and_an_empty_one_is_not_set(monkeypatch):
    for name, value in {"TIMEOUT": "1", "timeout": "1", "PAPERBRIEF_TIMEOUT": "1", "title": "x", "MODEL": "m",
                        "base_url": "http://127.0.0.1:7/v1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OPENAI_API_KEY", "")
    settings = Settings.build()
    assert (settings.timeout, settings.title, settings.model, settings.base_url, settings.api_key) == \
        (60.0, "论文技术分析报告", None, None, None)


@pytest.mark.parametrize(("text", "says"), [
    ("modle: x\n", "modle"),  # a misspelt key
    ("api_key: sk-secret\n", "api_key"),  # the key stays in the environment
    ("timeout: -1\n", "timeout"),
    ("concurrency: 0\n", "concurrency"),
])
def test_the_config_file_source_keeps_its_checks(tmp_path, monkeypatch, text, says):
    config = tmp_path / "paperbrief.yaml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(config))
    with pytest.raises(SettingsError) as raised:
        Settings.build()
    assert str(raised.value).startswith(f"{config}: ") and says in str(raised.value) and "sk-secret" not in str(raised.value)


def test_a_named_config_file_must_exist_and_an_unnamed_one_need_not(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERBRIEF_CONFIG", str(tmp_path / "nowhere.yaml"))
    with pytest.raises(SettingsError, match="nowhere.yaml: config file not found"):
        Settings.build()
    monkeypatch.delenv("PAPERBRIEF_CONFIG")
    monkeypatch.chdir(tmp_path)
    assert Settings.build().title == "论文技术分析报告"


def test_a_flag_with_a_nonsense_number_or_a_password_in_the_url_is_an_error():
    with pytest.raises(SettingsError, match="bad setting: timeout"):
        Settings.build(timeout=-1.0)
    with pytest.raises(SettingsError) as raised:
        Settings.build(base_url="http://user:hunter2@127.0.0.1:9/v1")
    assert "hunter2" not in str(raised.value)
