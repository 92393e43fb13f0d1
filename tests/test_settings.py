"""The settings registry: precedence, parsing, errors, and documentation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spyglass.exceptions import ConfigError
from spyglass.settings import REGISTRY, load_settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = {s.name: s.default for s in REGISTRY}


def _write_config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text, encoding="utf-8")


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(environ={"SPYGLASS_HOME": str(tmp_path)})
    assert settings.as_dict() == {**DEFAULTS, "home": str(tmp_path)}
    assert settings.port == 4318
    assert settings.max_body_bytes == 16 * 1024 * 1024
    assert settings.bootstrap is True
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'spyglass.db'}"


def test_precedence_argument_env_file_default(tmp_path: Path) -> None:
    _write_config(tmp_path, 'port = 1111\nlog_level = "debug"\nhost = "0.0.0.0"\n')
    env = {"SPYGLASS_HOME": str(tmp_path), "SPYGLASS_PORT": "2222", "SPYGLASS_HOST": "::1"}

    assert load_settings({"port": 3333}, environ=env).port == 3333
    assert load_settings(environ=env).port == 2222
    assert load_settings(environ={"SPYGLASS_HOME": str(tmp_path)}).port == 1111
    assert load_settings(environ={"SPYGLASS_HOME": str(tmp_path / "none")}).port == 4318

    s = load_settings({"port": 3333, "host": None}, environ=env)
    # None means "not given": the next source decides.
    assert (s.port, s.host, s.log_level, s.writer_batch_spans) == (3333, "::1", "debug", 8192)


def test_home_argument_chooses_the_config_file(tmp_path: Path) -> None:
    _write_config(tmp_path / "a", "port = 1\n")
    _write_config(tmp_path / "b", "port = 2\n")
    env = {"SPYGLASS_HOME": str(tmp_path / "a")}
    assert load_settings(environ=env).port == 1
    assert load_settings({"home": str(tmp_path / "b")}, environ=env).port == 2


def test_home_expands_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = load_settings({"home": "~/data"}, environ={})
    assert settings.home_path == tmp_path / "data"
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'data' / 'spyglass.db'}"
    pg = load_settings({"home": "~/data", "database_url": "postgresql://u@h/db"}, environ={})
    assert pg.resolved_database_url == "postgresql://u@h/db"


@pytest.mark.parametrize(
    ("env_var", "raw", "name", "value"),
    [
        ("SPYGLASS_PORT", "8080", "port", 8080),
        ("SPYGLASS_MAX_BODY_BYTES", "1024", "max_body_bytes", 1024),
        ("SPYGLASS_KEY_CACHE_SECONDS", "2.5", "key_cache_seconds", 2.5),
        ("SPYGLASS_KEY_CACHE_SECONDS", "0", "key_cache_seconds", 0.0),
        ("SPYGLASS_BOOTSTRAP", "false", "bootstrap", False),
        ("SPYGLASS_BOOTSTRAP", " OFF ", "bootstrap", False),
        ("SPYGLASS_BOOTSTRAP", "0", "bootstrap", False),
        ("SPYGLASS_BOOTSTRAP", "", "bootstrap", False),
        ("SPYGLASS_BOOTSTRAP", "Yes", "bootstrap", True),
        ("SPYGLASS_BOOTSTRAP", "1", "bootstrap", True),
        ("SPYGLASS_DATABASE_URL", "postgresql://x@y/z", "database_url", "postgresql://x@y/z"),
        ("SPYGLASS_LOG_LEVEL", "warning", "log_level", "warning"),
    ],
)
def test_env_values_are_parsed(
    tmp_path: Path, env_var: str, raw: str, name: str, value: object
) -> None:
    settings = load_settings(environ={"SPYGLASS_HOME": str(tmp_path), env_var: raw})
    got = getattr(settings, name)
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    ("env_var", "raw"),
    [
        ("SPYGLASS_PORT", "http"),
        ("SPYGLASS_PORT", "80.5"),
        ("SPYGLASS_MAX_BODY_BYTES", "16MiB"),
        ("SPYGLASS_KEY_CACHE_SECONDS", "soon"),
        ("SPYGLASS_BOOTSTRAP", "maybe"),
    ],
)
def test_bad_env_value_is_config_error_naming_the_variable(
    tmp_path: Path, env_var: str, raw: str
) -> None:
    with pytest.raises(ConfigError, match=env_var):
        load_settings(environ={"SPYGLASS_HOME": str(tmp_path), env_var: raw})


def test_config_file_values_are_parsed(tmp_path: Path) -> None:
    _write_config(
        tmp_path, 'port = "9000"\nbootstrap = false\nkey_cache_seconds = 3\nmax_body_bytes = 2048\n'
    )
    s = load_settings(environ={"SPYGLASS_HOME": str(tmp_path)})
    assert (s.port, s.bootstrap, s.key_cache_seconds, s.max_body_bytes) == (9000, False, 3.0, 2048)
    assert type(s.key_cache_seconds) is float


@pytest.mark.parametrize(
    "line",
    [
        'port = "http"',
        "port = [1]",
        "port = true",
        "port = 1.5",
        'bootstrap = "maybe"',
        "max_body_bytes = {a = 1}",
        'key_cache_seconds = "x"',
    ],
)
def test_bad_config_file_value_is_config_error(tmp_path: Path, line: str) -> None:
    _write_config(tmp_path, line + "\n")
    with pytest.raises(ConfigError, match=r"config\.toml"):
        load_settings(environ={"SPYGLASS_HOME": str(tmp_path)})


def test_unknown_settings_are_config_errors(tmp_path: Path) -> None:
    env = {"SPYGLASS_HOME": str(tmp_path)}
    with pytest.raises(ConfigError, match=r"unknown setting.*: colour, nope"):
        load_settings({"nope": 1, "colour": "red"}, environ=env)
    _write_config(tmp_path, "prot = 80\n")
    with pytest.raises(ConfigError, match=r"unknown setting.*prot"):
        load_settings(environ=env)


def test_unreadable_config_file_is_config_error(tmp_path: Path) -> None:
    _write_config(tmp_path, "port = = 1\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(environ={"SPYGLASS_HOME": str(tmp_path)})


def test_unknown_attribute_is_attribute_error(tmp_path: Path) -> None:
    settings = load_settings(environ={"SPYGLASS_HOME": str(tmp_path)})
    with pytest.raises(AttributeError):
        _ = settings.no_such_setting


def test_registry_is_consistent() -> None:
    names = [s.name for s in REGISTRY]
    envs = [s.env for s in REGISTRY]
    assert len(set(names)) == len(names)
    assert envs == [f"SPYGLASS_{n.upper()}" for n in names]
    for s in REGISTRY:
        assert s.doc.strip(), s.name
        # The default is a value the parser could have produced.
        assert (
            s.parse(str(s.default).lower() if isinstance(s.default, bool) else str(s.default))
            == s.default
        ), s.name


def test_only_settings_reads_the_environment() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "src" / "spyglass").rglob("*.py")
        if path.name != "settings.py" or path.parent.name != "spyglass"
        if re.search(r"\bos\.environ\b|\bgetenv\(", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_docs_list_every_setting() -> None:
    doc = ROOT / "docs" / "settings.md"
    assert doc.is_file(), "docs/settings.md is missing: document every setting there"
    text = doc.read_text(encoding="utf-8")
    missing = [s.env for s in REGISTRY if f"`{s.env}`" not in text]
    assert missing == [], f"docs/settings.md does not mention {missing}"
    # Nothing documented that the registry does not have.
    documented = set(re.findall(r"`(SPYGLASS_[A-Z0-9_]+)`", text))
    assert documented - {s.env for s in REGISTRY} == set()
