"""The one settings registry.

Every setting has a name, an environment variable, a type, a default and a docstring. Values
are resolved with this precedence: explicit argument > environment variable > config file
(``$SPYGLASS_HOME/config.toml``) > default. This is the only module that reads ``os.environ``;
``docs/settings.md`` is checked against this list by a test.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spyglass.exceptions import ConfigError

MAX_RETENTION_DAYS = 36_500


def _days(raw: str) -> float:
    days = float(raw)
    if not 0 <= days <= MAX_RETENTION_DAYS:  # also NaN
        raise ValueError(f"expected a number of days from 0 to {MAX_RETENTION_DAYS}, got {raw!r}")
    return days


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a boolean (true/false), got {raw!r}")


@dataclass(frozen=True)
class Setting:
    """One documented setting."""

    name: str
    env: str
    parse: Callable[[str], Any]
    default: Any
    doc: str


MIB = 1024 * 1024

REGISTRY: tuple[Setting, ...] = (
    Setting(
        "home",
        "SPYGLASS_HOME",
        str,
        "~/.spyglass",
        "Data directory: the embedded SQLite database and config.toml live here.",
    ),
    Setting(
        "database_url",
        "SPYGLASS_DATABASE_URL",
        str,
        "",
        "SQLAlchemy URL of the store. Empty means the embedded default, "
        "sqlite:///$SPYGLASS_HOME/spyglass.db. Use postgresql://user@host/db for PostgreSQL.",
    ),
    Setting("host", "SPYGLASS_HOST", str, "127.0.0.1", "Address the server listens on."),
    Setting(
        "port",
        "SPYGLASS_PORT",
        int,
        4318,
        "Port the server listens on (4318 is the OTLP/HTTP port, so exporters need no path "
        "changes).",
    ),
    Setting(
        "max_body_bytes",
        "SPYGLASS_MAX_BODY_BYTES",
        int,
        16 * MIB,
        "Largest request body accepted, checked while reading and again after gzip decompression.",
    ),
    Setting(
        "ingest_queue_spans",
        "SPYGLASS_INGEST_QUEUE_SPANS",
        int,
        50_000,
        "Without ingest processes: spans that may wait for the writer before OTLP answers 503 "
        "with Retry-After. Bounds server memory: about 4 KB per queued span.",
    ),
    Setting(
        "writer_batch_spans",
        "SPYGLASS_WRITER_BATCH_SPANS",
        int,
        8_192,
        "Without ingest processes: most spans the writer commits in one transaction. Larger "
        "batches amortise the commit's disk sync; smaller ones answer sooner.",
    ),
    Setting(
        "ingest_processes",
        "SPYGLASS_INGEST_PROCESSES",
        int,
        2,
        "Processes that decode, map and write OTLP requests beside the server process; they "
        "prepare their batches in parallel and take turns only for the write. 0 does all of "
        "it in the server process (decoding in its threads, one writer thread), which uses "
        "less memory and about one core. POSIX only; elsewhere 0 is used.",
    ),
    Setting(
        "ingest_queue_bytes",
        "SPYGLASS_INGEST_QUEUE_BYTES",
        int,
        64 * MIB,
        "With ingest processes: request bytes that may wait for them before OTLP answers 503 "
        "with Retry-After. Bounds the server's memory for waiting work.",
    ),
    Setting(
        "key_cache_seconds",
        "SPYGLASS_KEY_CACHE_SECONDS",
        float,
        10.0,
        "How long a verified API key is trusted without asking the store again; a revoked "
        "key stops working within this time.",
    ),
    Setting(
        "bootstrap",
        "SPYGLASS_BOOTSTRAP",
        _bool,
        True,
        "On the first start of an empty store, create project 'default' and print an API "
        "key for it, and a web UI admin account (admin@localhost) with a random password.",
    ),
    Setting(
        "login_days",
        "SPYGLASS_LOGIN_DAYS",
        float,
        14.0,
        "How long a web UI login lasts before the person has to log in again.",
    ),
    Setting(
        "retention_days",
        "SPYGLASS_RETENTION_DAYS",
        _days,
        0.0,
        "Traces that started longer ago than this many days are deleted, with their spans "
        "and scores, by the server at start and every hour (`spyglass db prune` does it once "
        "by hand). 0 keeps everything.",
    ),
    Setting("log_level", "SPYGLASS_LOG_LEVEL", str, "info", "Log level of the server."),
    Setting(
        "prices_file",
        "SPYGLASS_PRICES_FILE",
        str,
        "",
        "JSON price table (the format of the shipped spyglass/pricing/prices.json) laid over "
        "the shipped one: its models replace or add to the shipped prices. Empty: shipped "
        "list prices only. See docs/cost.md.",
    ),
    # SDK (in the traced application)
    Setting(
        "endpoint",
        "SPYGLASS_ENDPOINT",
        str,
        "",
        "SDK: base URL of the Spyglass server spans and scores are sent to "
        "(http://127.0.0.1:4318). Empty: spans are created but not exported.",
    ),
    Setting(
        "api_key",
        "SPYGLASS_API_KEY",
        str,
        "",
        "SDK: API key of the project the application reports to.",
    ),
    Setting(
        "service_name",
        "SPYGLASS_SERVICE_NAME",
        str,
        "python-app",
        "SDK: service.name resource attribute of the application's spans.",
    ),
    Setting(
        "environment",
        "SPYGLASS_ENVIRONMENT",
        str,
        "",
        "SDK: deployment environment (production, staging, ...) of the application.",
    ),
    Setting(
        "release",
        "SPYGLASS_RELEASE",
        str,
        "",
        "SDK: release (service.version) of the application, to compare versions.",
    ),
    Setting(
        "sample_rate",
        "SPYGLASS_SAMPLE_RATE",
        float,
        1.0,
        "SDK: fraction of traces recorded, decided once per trace (0.0 to 1.0).",
    ),
    Setting(
        "capture",
        "SPYGLASS_CAPTURE",
        _bool,
        True,
        "SDK: record function inputs and outputs and LLM messages. Off: only timings, "
        "models, tokens and errors.",
    ),
    Setting(
        "max_payload_chars",
        "SPYGLASS_MAX_PAYLOAD_CHARS",
        int,
        20_000,
        "SDK: longest input or output text kept per span; longer ones are truncated.",
    ),
    Setting(
        "export_queue_spans",
        "SPYGLASS_EXPORT_QUEUE_SPANS",
        int,
        20_000,
        "SDK: spans held for export at most; when the server is down or slow, further "
        "spans are dropped and counted rather than growing the app's memory.",
    ),
    Setting(
        "export_timeout_seconds",
        "SPYGLASS_EXPORT_TIMEOUT_SECONDS",
        float,
        10.0,
        "SDK: time limit of one export request to the server.",
    ),
    # Evaluation: LLM judges and their answer cache (in the app or the eval runner)
    Setting(
        "judge_model",
        "SPYGLASS_JUDGE_MODEL",
        str,
        "gpt-4o-mini",
        "Model of the LLM-judge checks (llm-rubric, faithfulness, ...) when a check does "
        "not name one.",
    ),
    Setting(
        "judge_base_url",
        "SPYGLASS_JUDGE_BASE_URL",
        str,
        "",
        "Base URL of the OpenAI-compatible endpoint the judges call, and embeddings models "
        "named by the semantic checks without a base_url (e.g. "
        "http://localhost:11434/v1). Empty: the openai package's default (OPENAI_BASE_URL, "
        "else api.openai.com).",
    ),
    Setting(
        "judge_api_key",
        "SPYGLASS_JUDGE_API_KEY",
        str,
        "",
        "API key for the judge endpoint. Empty: the openai package's OPENAI_API_KEY.",
    ),
    Setting(
        "llm_cache",
        "SPYGLASS_LLM_CACHE",
        _bool,
        True,
        "Cache LLM answers (judges, evaluations) by content, so re-running an unchanged "
        "experiment makes no model calls. Off: every call goes to the model.",
    ),
    Setting(
        "llm_cache_path",
        "SPYGLASS_LLM_CACHE_PATH",
        str,
        "",
        "SQLite file of the LLM answer cache. Empty: $SPYGLASS_HOME/cache/llm.sqlite.",
    ),
    Setting(
        "evals_dir",
        "SPYGLASS_EVALS_DIR",
        str,
        "",
        "Directory of evaluation runs (one folder per run: run.json and results.jsonl). "
        "Empty: $SPYGLASS_HOME/evals.",
    ),
)

_BY_NAME = {s.name: s for s in REGISTRY}


class Settings:
    """Resolved settings; read attributes by setting name."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def home_path(self) -> Path:
        return Path(str(self._values["home"])).expanduser()

    @property
    def resolved_database_url(self) -> str:
        url = str(self._values["database_url"])
        if url:
            return url
        return f"sqlite:///{self.home_path / 'spyglass.db'}"

    @property
    def resolved_llm_cache_path(self) -> Path:
        path = str(self._values["llm_cache_path"])
        if path:
            return Path(path).expanduser()
        return self.home_path / "cache" / "llm.sqlite"

    @property
    def resolved_evals_dir(self) -> Path:
        path = str(self._values["evals_dir"])
        return Path(path).expanduser() if path else self.home_path / "evals"

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve every setting: argument > environment > config file > default."""
    env = os.environ if environ is None else environ
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = set(overrides) - set(_BY_NAME)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")

    home_raw = overrides.get("home") or env.get("SPYGLASS_HOME") or _BY_NAME["home"].default
    file_values = _read_config_file(Path(str(home_raw)).expanduser() / "config.toml")

    values: dict[str, Any] = {}
    for setting in REGISTRY:
        if setting.name in overrides:
            values[setting.name] = overrides[setting.name]
            continue
        raw: Any = env.get(setting.env)
        source = setting.env
        if raw is None and setting.name in file_values:
            raw, source = file_values[setting.name], "config.toml"
        if raw is None:
            values[setting.name] = setting.default
            continue
        try:
            # TOML values arrive typed; parse their text too so `port = 1.5` or `port = [1]`
            # is refused like the same value in the environment.
            values[setting.name] = setting.parse(raw if isinstance(raw, str) else str(raw))
        except ValueError as exc:
            raise ConfigError(f"{source}: {exc}") from exc
    return Settings(values)


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    unknown = set(data) - set(_BY_NAME)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))}")
    return data
