"""The ``secrets`` check: provider formats with exact spans, placeholders, parameters, speed."""

from __future__ import annotations

import base64
import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spyglass.checks import CheckContext, create_check
from spyglass.checks.secrets import KINDS, Secrets, shannon_entropy
from spyglass.exceptions import PolicyError

CHECK = Secrets()
B62 = "Ab3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ3aB5cD7eF9gH1jK3lM5nP7qR9sT1uV3wXz"


def found(text: str, check: Secrets = CHECK) -> list[tuple[str, str]]:
    return [(f.entity, f.text) for f in check.find(text)]


def jwt(header: dict[str, str], sig: str = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c") -> str:
    def enc(obj: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{enc(header)}.{enc({'sub': '1234567890', 'name': 'Jo'})}.{sig}"


AZURE_KEY = "q8Xz" + B62[:57] + "Zr+t/Vw1Kp3Lm5Nb7Hc9Df2Gj=="
PEM = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACDvW2c9Kq8Zr4Tn1Xb7Lm3Hd5Fj0Pa2Sv6Gy8Bq4Rw9Ec1Ut3Ik5Jo7Mz0==\n"
    "-----END OPENSSH PRIVATE KEY-----"
)


@pytest.mark.parametrize(
    ("kind", "secret"),
    [
        ("AWS_ACCESS_KEY", "AKIAZ3MSJV4WWNKWW5FG"),
        ("AWS_ACCESS_KEY", "ASIAY34FZKBOKMUTVV7A"),
        ("GCP_API_KEY", "AIzaSyD3f8K2hq9Xn1v7LmP4wQ6tR0sYbZc5aEg"),
        ("GOOGLE_OAUTH", "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"),
        ("GITHUB_TOKEN", "ghp_" + B62[:36]),
        ("GITHUB_TOKEN", "gho_" + B62[1:37]),
        ("GITHUB_TOKEN", "ghs_" + B62[2:38]),
        ("GITHUB_TOKEN", "github_pat_11ABCDEFG0123456789abc_" + B62[:59]),
        ("GITLAB_TOKEN", "glpat-xY7bN2kLm9QrT4vW1zA3"),
        ("BITBUCKET_TOKEN", "ATBB" + B62[:32]),
        ("STRIPE_KEY", "sk_live_51HqLyjWDarjtT1zdp7dc4eC39"),
        ("STRIPE_KEY", "rk_live_51HqLyjWDarjtT1zdp7dc4eC39"),
        ("SLACK_TOKEN", "xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1"),
        ("SLACK_TOKEN", "xoxp-263594206564-2343594206574-2343594206574-b8c1f2a3d4e5"),
        (
            "SLACK_WEBHOOK",
            "https://hooks.slack.com/services/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",
        ),
        ("DISCORD_BOT_TOKEN", "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs"),
        ("DISCORD_WEBHOOK", "https://discord.com/api/webhooks/845927362849372615/" + B62[:64]),
        ("TWILIO", "SK" + "0123456789abcdef" * 2),
        (
            "SENDGRID_API_KEY",
            "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",
        ),
        (
            "MAILGUN_API_KEY",
            "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"[:4] + "3a9f6c2b1d8e4f7a0b5c9d2e6f1a8b4c",
        ),
        ("OPENAI_API_KEY", "sk-proj-" + B62[:48]),
        ("OPENAI_API_KEY", "sk-" + B62[:20] + "T3BlbkFJ" + B62[20:40]),
        ("ANTHROPIC_API_KEY", "sk-ant-api03-" + B62[:60] + "-AA"),
        ("HUGGINGFACE_TOKEN", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz12345678"),
        ("NPM_TOKEN", "npm_" + B62[:36]),
        ("PYPI_TOKEN", "pypi-AgEIcHlwaS5vcmcCJGE4ZjY" + B62[:40]),
        ("SHOPIFY_TOKEN", "shpat_" + "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
        ("TELEGRAM_BOT_TOKEN", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"),
        ("JWT", jwt({"alg": "HS256", "typ": "JWT"})),
        ("PRIVATE_KEY", PEM),
        ("CONNECTION_STRING", "postgres://admin:S3cr3tP4ss@db.example.com:5432"),
        ("CONNECTION_STRING", "mongodb+srv://app:x9Kq2LmZ7@cluster0.ab1cd.mongodb.net"),
        ("CONNECTION_STRING", "redis://:p4ssw0rdXyz@cache:6379"),
        ("CONNECTION_STRING", "amqp://guest:Rb7!kq2Lz@rabbit.internal"),
        ("CONNECTION_STRING", "https://deploy:Tk9mQ2xZ7vB4@git.example.com"),
    ],
)
def test_provider_formats_with_exact_spans(kind: str, secret: str) -> None:
    text = f"config dump:\n  value {secret} (rotated)\n"
    assert found(text) == [(kind, secret)]
    f = CHECK.find(text)[0]
    assert text[f.start : f.end] == secret


@pytest.mark.parametrize(
    ("text", "kind", "secret"),
    [
        (
            "aws_secret_access_key = Xq1/8fJwYbZ0h3kPq9s7T2mVn4LrEw6cUaDoGiKt",
            "AWS_SECRET_KEY",
            "Xq1/8fJwYbZ0h3kPq9s7T2mVn4LrEw6cUaDoGiKt",
        ),
        (
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey="
            + AZURE_KEY
            + ";EndpointSuffix=core.windows.net",
            "AZURE_STORAGE_KEY",
            AZURE_KEY,
        ),
        (
            "TWILIO_AUTH_TOKEN: 3a9f6c2b1d8e4f7a0b5c9d2e6f1a8b4c",
            "TWILIO",
            "3a9f6c2b1d8e4f7a0b5c9d2e6f1a8b4c",
        ),
        ("password = 'Summer2024!'", "GENERIC_SECRET", "Summer2024!"),
        (
            '{"client_secret": "9f8e7d6c5b4a3f2e1d0c9b8a"}',
            "GENERIC_SECRET",
            "9f8e7d6c5b4a3f2e1d0c9b8a",
        ),
        ("DB_PASSWORD=hT7#kq2Lz9", "GENERIC_SECRET", "hT7#kq2Lz9"),
        ("export API_KEY=Zq81LmX0pW2v9TnB", "GENERIC_SECRET", "Zq81LmX0pW2v9TnB"),
        ("X-Api-Key: 7fQ2mZ9xL4pW8vB1nK3j", "GENERIC_SECRET", "7fQ2mZ9xL4pW8vB1nK3j"),
        ("apiKey: 'Zq81LmX0pW2v9TnB'", "GENERIC_SECRET", "Zq81LmX0pW2v9TnB"),
        (
            "Authorization: Bearer 8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c",
            "AUTH_HEADER",
            "8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c",
        ),
        (
            "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l",
            "AUTH_HEADER",
            "YWxhZGRpbjpvcGVuc2VzYW1l",
        ),
    ],
)
def test_context_and_generic_forms(text: str, kind: str, secret: str) -> None:
    assert found(text) == [(kind, secret)]


@pytest.mark.parametrize(
    "text",
    [
        "AKIAIOSFODNN7EXAMPLE and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "export OPENAI_API_KEY=sk-...",
        "api_key: <your-api-key>",
        "API_KEY=${API_KEY}",
        "token: YOUR_TOKEN_HERE",
        "password: changeme",
        "password=xxxxxxxx",
        "secret: '****'",
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "sk-your-key-here",
        "commit 3f2a9c1b7e8d4f6a0b5c2e9d8f7a6b5c4d3e2f1a merged",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 of the file",
        "uuid 550e8400-e29b-41d4-a716-446655440000",
        "see /usr/local/lib/python3.11/site-packages/secret_sauce/token.py",
        "GET https://api.example.com/v1/tokens?page=2 and postgres://db.internal:5432/app",
        "base64 of hello world is aGVsbG8gd29ybGQ=",
        "token = self.token; password=os.environ['PW']; secret = settings.SECRET_KEY",
        "max_tokens: 4096, token_count=12, tokenizer: cl100k_base, secret_name: app-secret",
        "The key: understanding how authentication works. Author: Jane Doe",
        "public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz8",
        "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
        "amqp://user:password@host",
        "password: str = Field(...)",
    ],
)
def test_placeholders_and_ordinary_text_do_not_fire(text: str) -> None:
    assert found(text) == []


def test_stripe_test_key_scores_below_threshold() -> None:
    result = CHECK.run("sk_test_4eC39HqLyjWDarjtT1zdp7dc")
    assert result.findings[0].entity == "STRIPE_KEY"
    assert result.score == 0.4
    assert result.passed is True


def test_verdict_never_echoes_the_secret() -> None:
    secret = "ghp_" + B62[:36]
    v = CHECK.evaluate(f"token {secret} and AKIAZ3MSJV4WWNKWW5FG", CheckContext())
    assert v.explanation == "2 findings: AWS_ACCESS_KEY, GITHUB_TOKEN"
    assert secret not in v.explanation
    assert v.label == "GITHUB_TOKEN"  # higher score wins the label
    assert CHECK.evaluate("hello", CheckContext()).explanation == "no secrets found"


def test_private_key_block_without_end_is_still_caught() -> None:
    cut = PEM.rsplit("\n", 1)[0]
    text = f"here:\n{cut}\n\nthanks"
    f = CHECK.find(text)[0]
    assert (f.entity, f.start, f.end) == ("PRIVATE_KEY", 6, 6 + len(cut))


def test_kinds_exclude_and_entropy_threshold() -> None:
    text = "AKIAZ3MSJV4WWNKWW5FG api_key='Zq81LmX0pW2v9TnB'"
    assert [k for k, _ in found(text, Secrets(kinds=["aws_access_key"]))] == ["AWS_ACCESS_KEY"]
    assert [k for k, _ in found(text, Secrets(exclude=["AWS_ACCESS_KEY"]))] == ["GENERIC_SECRET"]
    assert [k for k, _ in found(text, Secrets(entropy_threshold=4.5))] == ["AWS_ACCESS_KEY"]
    with pytest.raises(PolicyError, match="unknown secret kind"):
        Secrets(kinds=["AWS"])
    with pytest.raises(PolicyError):
        Secrets(entropy_threshold=9)
    assert create_check("secrets", kinds=list(KINDS)).name == "secrets"


def test_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == 2.0


@settings(max_examples=50, deadline=None)
@given(
    prefix=st.text(alphabet=st.sampled_from("abcdefgh ijklmnop\n.,"), max_size=200),
    body=st.text(alphabet=st.sampled_from(B62), min_size=36, max_size=36),
)
def test_github_token_in_prose_found_with_exact_span(prefix: str, body: str) -> None:
    token = "ghp_" + body
    text = f"{prefix} {token} end"
    hits = [f for f in CHECK.find(text) if f.entity == "GITHUB_TOKEN"]
    if len(set(body)) >= 8 and not any(w in body for w in ("your", "YOUR", "XXXXX", "xxxxx")):
        assert [(f.start, f.end) for f in hits] == [(len(prefix) + 1, len(prefix) + 41)]


@settings(max_examples=50, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("abcdefghij klmnopqrstuvwxyz,.;!?\n"), max_size=400))
def test_lowercase_prose_has_no_findings(text: str) -> None:
    assert CHECK.find(text) == ()


@pytest.mark.parametrize(
    "text",
    ["password=" * 10_000, "-----BEGIN RSA PRIVATE KEY-----" * 3_000, "A" * 100_000,
     "eyJ" * 30_000 + ".", "http://a:b" * 10_000, "api_key: " * 10_000, "sk-" * 30_000,
     "a:" * 50_000, "aws " * 25_000],
)  # fmt: skip
def test_adversarial_100kb_is_fast(text: str) -> None:
    started = time.perf_counter()
    CHECK.find(text)
    assert time.perf_counter() - started < 2.0
