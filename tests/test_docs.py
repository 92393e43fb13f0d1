"""The README and docs/*.md say only what is true.

* Every ```python block runs, as written, in its own process against a real
  ``spyglass server`` on a temporary SQLite store, with ``SPYGLASS_URL`` and ``SPYGLASS_KEY``
  set; it must exit 0. A block opts out only with ``<!-- not-run: reason -->`` on the line
  before its fence.
* Every ``spyglass ...`` command line in a ```bash block names a real command, and every
  option it shows is in that command's ``--help``.
* Every relative link points to a file that exists, and every ``#anchor`` to a heading.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.harness import POLL_INTERVAL_S, STARTUP_TIMEOUT_S, STOP_TIMEOUT_S, free_port
from tests.fakes.openai_upstream import FakeOpenAI

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOC_FILES = [README, *sorted((ROOT / "docs").glob("*.md"))]
# A sample talks to a local server; a minute means it hangs, not that it is slow.
SAMPLE_TIMEOUT_S = 60.0
# Wide enough that the CLI's help never wraps or truncates an option name.
HELP_COLUMNS = "200"

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
_NOT_RUN = re.compile(r"^\s*<!--\s*not-run:\s*(?P<reason>\S.*?)\s*-->\s*$")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(?P<target>\S+?)>?(?:\s.*)?$")
_INLINE_CODE = re.compile(r"`+[^`]*`+")
_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_SHELL_OPERATORS = {"&&", "||", ";", "|", "&"}
_HELP_OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")
_HELP_COMMAND_ROW = re.compile(r"^(?:│ |  )(?P<name>[a-z][\w-]*)(?:\s|$)")


# ------------------------------------------------------------------------------ markdown


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown file."""

    path: Path
    line: int  # of the opening fence, 1-based
    end: int  # of the closing fence (or the last line, when the fence is never closed)
    lang: str
    code: str
    not_run: str | None  # the reason given in a `<!-- not-run: reason -->` comment

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def fenced_blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not (
            lines[j].strip().startswith(fence) and set(lines[j].strip()) == {fence[0]}
        ):
            body.append(lines[j][indent:] if lines[j][:indent].isspace() else lines[j])
            j += 1
        marker = _NOT_RUN.match(lines[i - 1]) if i else None
        blocks.append(
            Block(
                path,
                i + 1,
                min(j + 1, len(lines)),
                opening["lang"].lower(),
                "\n".join(body) + "\n",
                marker["reason"] if marker else None,
            )
        )
        i = j + 1
    return blocks


def prose_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) outside fenced code blocks."""
    fenced: set[int] = set()
    for block in fenced_blocks(path):
        fenced.update(range(block.line, block.end + 1))
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if number not in fenced:
            yield number, text


def heading_anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the file's headings (``## Two words`` -> ``two-words``)."""
    anchors: set[str] = set()
    for _, text in prose_lines(path):
        heading = _HEADING.match(text)
        if heading is None:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading["text"].strip().lower()).replace(" ", "-")
        anchor, n = slug, 0
        while anchor in anchors:
            n += 1
            anchor = f"{slug}-{n}"
        anchors.add(anchor)
    return anchors


PYTHON_BLOCKS = [b for path in DOC_FILES for b in fenced_blocks(path) if b.lang == "python"]


def _is_readme_exporter_sample(block: Block) -> bool:
    return block.path == README and "OTLPSpanExporter" in block.code


# ------------------------------------------------------------------------------ the server


def _clean_env(home: Path) -> dict[str, str]:
    """This process's environment without the developer's Spyglass and OTel settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPYGLASS_", "OTEL_"))}
    env["SPYGLASS_HOME"] = str(home)
    return env


@dataclass(frozen=True)
class DocsServer:
    url: str
    key: str
    home: Path
    openai_url: str

    @property
    def sample_env(self) -> dict[str, str]:
        # Samples that call OpenAI reach the local fake upstream: the openai package reads
        # OPENAI_BASE_URL and OPENAI_API_KEY itself, so the samples stay as users write them.
        return {
            **_clean_env(self.home),
            "SPYGLASS_URL": self.url,
            "SPYGLASS_KEY": self.key,
            # The SDK's own settings, as a user of the SDK quickstart sets them.
            "SPYGLASS_ENDPOINT": self.url,
            "SPYGLASS_API_KEY": self.key,
            "OPENAI_BASE_URL": self.openai_url,
            "OPENAI_API_KEY": "sk-docs",
        }

    def get(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(
            f"{self.url}{path}",
            params=params,
            headers={"Authorization": f"Bearer {self.key}"},
            timeout=10.0,
        )


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(POLL_INTERVAL_S)
    pytest.fail(f"server not healthy within {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocsServer]:
    """``spyglass server`` on a fresh SQLite store under a temporary SPYGLASS_HOME."""
    home = tmp_path_factory.mktemp("docs-home")
    env = {**_clean_env(home), "SPYGLASS_BOOTSTRAP": "false"}
    cli = [sys.executable, "-m", "spyglass.cli"]
    created = subprocess.run(
        [*cli, "keys", "create", "--project", "docs"],
        env=env,
        capture_output=True,
        text=True,
        timeout=SAMPLE_TIMEOUT_S,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    port = free_port()
    log = home / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*cli, "server", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    fake = FakeOpenAI()
    fake.start()
    try:
        _wait_healthy(url, proc, log)
        yield DocsServer(url, key, home, fake.base_url)
    finally:
        fake.stop()
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(STOP_TIMEOUT_S)


# ------------------------------------------------------------------------------ (a) samples


@pytest.mark.e2e
@pytest.mark.parametrize(
    "block",
    [
        pytest.param(
            b, marks=[pytest.mark.skip(reason=f"not-run: {b.not_run}")] if b.not_run else []
        )
        for b in PYTHON_BLOCKS
    ],
    ids=[b.id for b in PYTHON_BLOCKS],
)
def test_python_sample_runs(block: Block, docs_server: DocsServer, tmp_path: Path) -> None:
    script = tmp_path / "sample.py"
    script.write_text(block.code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=docs_server.sample_env,
        capture_output=True,
        text=True,
        timeout=SAMPLE_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, (
        f"{block.id} exited with {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    if _is_readme_exporter_sample(block):
        # A 2xx from the exporter means committed: the trace must be there now.
        answer = docs_server.get("/api/traces", session_id="conversation-42")
        assert answer.status_code == 200, answer.text
        traces = answer.json()["items"]
        assert [(t["name"], t["session_id"], t["user_id"]) for t in traces] == [
            ("answer", "conversation-42", "user-7")
        ]
    if "spyglass.instrument_openai()" in block.code:
        # The SDK quickstart: its trace, the LLM call inside it and the thumbs-down are stored.
        traces = docs_server.get("/api/traces", session_id="conversation-7").json()["items"]
        assert [(t["name"], t["user_id"], t["models"], t["tags"]) for t in traces] == [
            ("answer", "user-7", ["gpt-4o-mini"], ["docs"])
        ]
        assert traces[0]["total_tokens"] > 0
        scores = docs_server.get("/api/scores", trace_id=traces[0]["trace_id"]).json()["items"]
        assert [(s["name"], s["value"], s["comment"]) for s in scores] == [
            ("thumbs", False, "wrong order")
        ]


def test_readme_has_the_exporter_sample() -> None:
    samples = [b for b in PYTHON_BLOCKS if _is_readme_exporter_sample(b)]
    assert len(samples) == 1, "README should show one OpenTelemetry exporter sample"
    assert samples[0].not_run is None


def test_not_run_markers_give_a_reason_and_precede_a_python_block() -> None:
    for path in DOC_FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, text in enumerate(lines, 1):
            if "not-run" not in text:
                continue
            assert _NOT_RUN.match(text), f"{path.name}:{number}: use <!-- not-run: reason -->"
            following = lines[number] if number < len(lines) else ""
            fence = _FENCE.match(following)
            assert fence and fence["lang"] == "python", (
                f"{path.name}:{number}: a not-run marker must be right before a ```python fence"
            )


# ------------------------------------------------------------------------------ (b) commands


@dataclass(frozen=True)
class CommandLine:
    path: Path
    line: int
    args: tuple[str, ...]  # after `spyglass`

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: spyglass {' '.join(self.args)}"


def _without_comment(text: str) -> str:
    """The line up to a shell comment: a ``#`` that starts a word outside quotes."""
    quote = ""
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i]
    return text


def _shell_segments(text: str) -> Iterator[list[str]]:
    """The simple commands of one shell line: words split on &&, ||, ;, | and &."""
    lexer = shlex.shlex(_without_comment(text), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    segment: list[str] = []
    for word in lexer:
        if word in _SHELL_OPERATORS:
            yield segment
            segment = []
        else:
            segment.append(word)
    yield segment


def spyglass_commands(path: Path) -> list[CommandLine]:
    found: list[CommandLine] = []
    for block in fenced_blocks(path):
        if block.lang not in ("bash", "sh", "shell", "console"):
            continue
        logical: list[tuple[int, str]] = []
        for offset, raw in enumerate(block.code.splitlines(), block.line + 1):
            text = raw.removeprefix("$ ")
            if logical and logical[-1][1].endswith("\\"):
                logical[-1] = (logical[-1][0], logical[-1][1][:-1] + " " + text)
            else:
                logical.append((offset, text))
        for number, text in logical:
            for words in _shell_segments(text):
                args = _spyglass_args(words)
                if args is not None:
                    found.append(CommandLine(path, number, args))
    return found


def _spyglass_args(words: list[str]) -> tuple[str, ...] | None:
    """The arguments when ``words`` run ``spyglass`` (or ``python -m spyglass.cli``)."""
    start = 0
    while start < len(words) and re.match(r"^\w+=", words[start]):  # FOO=bar spyglass ...
        start += 1
    command = words[start:]
    program = Path(command[0]).name if command else ""
    if program == "spyglass":
        args = command[1:]
    elif program in ("python", "python3") and command[1:3] == ["-m", "spyglass.cli"]:
        args = command[3:]
    else:
        return None
    # `[--project NAME]` marks an optional part: the words inside are real.
    return tuple(arg.strip("[]") for arg in args if arg.strip("[]"))


COMMANDS = [c for path in DOC_FILES for c in spyglass_commands(path)]


def _leading_words(args: tuple[str, ...]) -> tuple[str, ...]:
    words: list[str] = []
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
    return tuple(words)


# Runs `python -m spyglass.cli PATH --help` for each PATH in one process, the way `-m` does
# (runpy), so the CLI is imported once rather than once per PATH (about 0.6 s each).
_HELP_MARK = "@@spyglass-help@@"
_HELP_SCRIPT = f"""
import json, runpy, sys
for path in json.loads(sys.argv[1]):
    sys.argv = ["spyglass", *path, "--help"]
    print("{_HELP_MARK} begin", flush=True)
    try:
        runpy.run_module("spyglass.cli", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    print("\\n{_HELP_MARK} end", code, flush=True)
"""
_HELP_OUTPUT = re.compile(rf"{_HELP_MARK} begin\n(.*?)\n{_HELP_MARK} end (-?\d+)\n", re.DOTALL)


@pytest.fixture(scope="module")
def cli_help(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], str | None]:
    """``--help`` output of every command path the documented lines could name.

    Every prefix of a line's leading words is asked for (``keys``, ``keys create``, ...); a
    prefix that ends in a positional argument still answers with its command's help. None
    means the path is not a command (``--help`` did not exit 0).
    """
    paths = sorted(
        {
            words[:n]
            for c in COMMANDS
            for words in [_leading_words(c.args)]
            for n in range(len(words) + 1)
        }
    )
    env = {**_clean_env(tmp_path_factory.mktemp("help-home")), "COLUMNS": HELP_COLUMNS}
    result = subprocess.run(
        [sys.executable, "-c", _HELP_SCRIPT, json.dumps(paths)],
        env=env,
        capture_output=True,
        text=True,
        timeout=SAMPLE_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outputs = _HELP_OUTPUT.findall(result.stdout)
    assert len(outputs) == len(paths), result.stdout + result.stderr
    return {
        path: text if code == "0" else None
        for path, (text, code) in zip(paths, outputs, strict=True)
    }


def _subcommands(help_text: str) -> set[str]:
    """Names listed in the help's Commands section (rich box or plain Click layout)."""
    names: set[str] = set()
    inside = False
    for line in help_text.splitlines():
        if re.match(r"^\s*(?:╭─ )?Commands\b", line):
            inside = True
        elif inside and (not line.strip() or line.lstrip().startswith(("╰", "╭"))):
            inside = False
        elif inside and (row := _HELP_COMMAND_ROW.match(line)):
            names.add(row["name"])
    return names


def _shown(path: tuple[str, ...]) -> str:
    return " ".join(("spyglass", *path))


def test_docs_show_spyglass_commands() -> None:
    assert any(c.path == README for c in COMMANDS), "the command-line check found nothing"


@pytest.mark.parametrize("command", COMMANDS, ids=[c.id for c in COMMANDS])
def test_command_line_names_a_real_command(
    command: CommandLine, cli_help: dict[tuple[str, ...], str | None]
) -> None:
    root_help = cli_help[()]
    assert root_help is not None, "python -m spyglass.cli --help failed"
    path: tuple[str, ...] = ()
    help_text = root_help
    for word in _leading_words(command.args):
        subcommands = _subcommands(help_text)
        if not subcommands:
            break  # a command, not a group: the rest are its arguments
        assert word in subcommands, (
            f"{command.id}: `{word}` is not a command of `{_shown(path)}`"
            f" (it has {sorted(subcommands)})"
        )
        path += (word,)
        text = cli_help[path]
        assert text is not None, f"{command.id}: `{_shown(path)} --help` failed"
        help_text = text
    assert path, f"{command.id}: no command named"
    assert not _subcommands(help_text), f"{command.id}: `{_shown(path)}` is a group, not a command"
    known = set(_HELP_OPTION.findall(help_text))
    shown = {arg.split("=", 1)[0] for arg in command.args if arg.startswith("-")}
    assert shown <= known, (
        f"{command.id}: `{_shown(path)} --help` does not list {sorted(shown - known)}"
    )


# ------------------------------------------------------------------------------ (c) links


@dataclass(frozen=True)
class Link:
    path: Path
    line: int
    target: str

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.target}"


def relative_links(path: Path) -> list[Link]:
    links: list[Link] = []
    for number, text in prose_lines(path):
        prose = _INLINE_CODE.sub("", text)
        targets = [m["target"] for m in _LINK.finditer(prose)]
        if ref := _REF_LINK.match(prose):
            targets.append(ref["target"])
        links.extend(Link(path, number, t) for t in targets if not _SCHEME.match(t))
    return links


LINKS = [link for path in DOC_FILES for link in relative_links(path)]


def test_readme_has_relative_links() -> None:
    assert any(link.path == README for link in LINKS), "the link check found nothing"


@pytest.mark.parametrize("link", LINKS, ids=[link.id for link in LINKS])
def test_relative_link_resolves(link: Link) -> None:
    file_part, _, anchor = link.target.partition("#")
    target = (link.path.parent / file_part).resolve() if file_part else link.path
    assert target.exists(), f"{link.id}: {target} does not exist"
    if anchor and target.suffix == ".md":
        assert anchor in heading_anchors(target), (
            f"{link.id}: no heading with anchor #{anchor} in {target.name}"
        )
