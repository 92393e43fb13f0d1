"""``map_span``: typed fields from every attribute dialect, table-driven.

Each case gives span attributes (and optionally resource attributes and span events) and the
fields it must map to; fields not named must keep their defaults, so a stray value fails.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spyglass.semconv import MappedSpan, map_span

DEFAULTS = asdict(MappedSpan())


def _msgs(raw: str | None) -> Any:
    return json.loads(raw) if raw is not None else None


class Case:
    def __init__(
        self,
        id_: str,
        attrs: dict[str, Any],
        expected: dict[str, Any],
        *,
        resource: dict[str, Any] | None = None,
        events: list[tuple[str, int, dict[str, Any]]] | None = None,
    ) -> None:
        self.id = id_
        self.attrs = attrs
        self.expected = expected
        self.resource = resource or {}
        self.events = events


GENAI_IN = [
    {
        "role": "user",
        "parts": [
            {"type": "text", "content": "Weather in "},
            {"type": "text", "content": "Paris?"},
        ],
    },
    {
        "role": "assistant",
        "parts": [
            {"type": "tool_call", "id": "c1", "name": "get_weather", "arguments": {"city": "Paris"}}
        ],
    },
    {
        "role": "tool",
        "parts": [{"type": "tool_call_response", "id": "c1", "response": {"temp": 20}}],
    },
]
GENAI_OUT = [
    {
        "role": "assistant",
        "parts": [
            {"type": "reasoning", "content": "Hmm. "},
            {"type": "text", "content": "It is 20C."},
        ],
        "finish_reason": "stop",
    }
]

CASES = [
    # ------------------------------------------------------------ OTel GenAI, current names
    Case(
        "genai-current",
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.response.model": "gpt-4o-2024-08-06",
            "gen_ai.usage.input_tokens": 100,
            "gen_ai.usage.output_tokens": 50,
            "gen_ai.usage.cache_read.input_tokens": 30,
            "gen_ai.usage.cache_creation.input_tokens": 10,
            "gen_ai.usage.reasoning.output_tokens": 20,
            "gen_ai.conversation.id": "conv-1",
            "user.id": "u-1",
        },
        {
            "kind": "LLM",
            "provider": "openai",
            "model": "gpt-4o-2024-08-06",
            "input_tokens": 100,
            "output_tokens": 50,
            "total_tokens": 150,
            "cache_read_tokens": 30,
            "cache_write_tokens": 10,
            "reasoning_tokens": 20,
            "session_id": "conv-1",
            "user_id": "u-1",
        },
    ),
    Case(
        "genai-request-model-only",
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 1,
            "gen_ai.usage.output_tokens": 2,
            "gen_ai.usage.total_tokens": 4,
        },
        {
            "kind": "LLM",
            "model": "gpt-4o",
            "input_tokens": 1,
            "output_tokens": 2,
            "total_tokens": 4,
        },
    ),
    # ------------------------------------------------------------ OTel GenAI, deprecated names
    Case(
        "genai-deprecated",
        {
            "gen_ai.system": "openai",
            "gen_ai.request.model": "gpt-4",
            "gen_ai.usage.prompt_tokens": 7,
            "gen_ai.usage.completion_tokens": 3,
            "gen_ai.usage.cache_read_input_tokens": 2,
            "gen_ai.usage.reasoning_tokens": 1,
            "gen_ai.usage.cache_creation_input_tokens": 1,
        },
        {
            "kind": "LLM",
            "provider": "openai",
            "model": "gpt-4",
            "input_tokens": 7,
            "output_tokens": 3,
            "total_tokens": 10,
            "cache_read_tokens": 2,
            "cache_write_tokens": 1,
            "reasoning_tokens": 1,
        },
    ),
    Case(
        "genai-current-wins-over-deprecated",
        {
            "gen_ai.provider.name": "anthropic",
            "gen_ai.system": "openai",
            "gen_ai.usage.input_tokens": 5,
            "gen_ai.usage.prompt_tokens": 9,
            "gen_ai.usage.output_tokens": 6,
            "gen_ai.usage.completion_tokens": 99,
            "gen_ai.conversation.id": "c",
            "session.id": "s",
        },
        {
            "provider": "anthropic",
            "input_tokens": 5,
            "output_tokens": 6,
            "total_tokens": 11,
            "session_id": "s",
        },
    ),
    Case(
        "genai-embeddings",
        {
            "gen_ai.operation.name": "embeddings",
            "gen_ai.request.model": "text-embedding-3-small",
            "gen_ai.usage.input_tokens": 5,
        },
        {
            "kind": "EMBEDDING",
            "model": "text-embedding-3-small",
            "input_tokens": 5,
            "total_tokens": 5,
        },
    ),
    Case(
        "genai-execute-tool",
        {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather"},
        {"kind": "TOOL"},
    ),
    Case("genai-invoke-agent", {"gen_ai.operation.name": "invoke_agent"}, {"kind": "AGENT"}),
    Case("genai-create-agent", {"gen_ai.operation.name": "create_agent"}, {"kind": "AGENT"}),
    Case("genai-text-completion", {"gen_ai.operation.name": "text_completion"}, {"kind": "LLM"}),
    Case("genai-unknown-operation", {"gen_ai.operation.name": "teleport"}, {}),
    Case(
        "genai-ttft-seconds", {"gen_ai.server.time_to_first_token": 0.25}, {"ttft_ns": 250_000_000}
    ),
    Case(
        "spyglass-ttft-ms",
        {"spyglass.ttft_ms": 12.5, "gen_ai.server.time_to_first_token": 9},
        {"ttft_ns": 12_500_000},
    ),
    Case("genai-cost", {"gen_ai.usage.cost": "0.25"}, {"cost_reported": 0.25}),
    # ------------------------------------------------------------ GenAI JSON messages
    Case(
        "genai-json-messages",
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.input.messages": json.dumps(GENAI_IN),
            "gen_ai.output.messages": json.dumps(GENAI_OUT),
            "gen_ai.system_instructions": json.dumps([{"type": "text", "content": "Be brief."}]),
        },
        {
            "kind": "LLM",
            "input": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Weather in Paris?"},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {"id": "c1", "name": "get_weather", "arguments": '{"city":"Paris"}'}
                    ],
                },
                {"role": "tool", "tool_call_id": "c1", "content": '{"temp":20}'},
            ],
            "output": [
                {"role": "assistant", "content": "Hmm. It is 20C.", "finish_reason": "stop"}
            ],
        },
    ),
    Case(
        "genai-structured-messages",
        {
            # The same conventions as structured (kvlist/array) values instead of JSON text.
            "gen_ai.input.messages": GENAI_IN[:1],
            "gen_ai.output.messages": GENAI_OUT[0],
            "gen_ai.system_instructions": "Plain system text.",
        },
        {
            "input": [
                {"role": "system", "content": "Plain system text."},
                {"role": "user", "content": "Weather in Paris?"},
            ],
            "output": [
                {"role": "assistant", "content": "Hmm. It is 20C.", "finish_reason": "stop"}
            ],
        },
    ),
    Case(
        "genai-openai-style-messages",
        {
            "gen_ai.input.messages": json.dumps(
                [
                    {"role": "user", "content": [{"type": "text", "text": "hi"}]},
                    {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "c9",
                                "type": "function",
                                "function": {"name": "f", "arguments": '{"a": 1}'},
                            }
                        ],
                    },
                ]
            ),
        },
        {
            "input": [
                {"role": "user", "content": "hi"},
                {
                    "role": "assistant",
                    "content": "",
                    "tool_calls": [{"id": "c9", "name": "f", "arguments": '{"a": 1}'}],
                },
            ]
        },
    ),
    Case(
        "genai-streamed-tool-call-empty-text",
        {
            "gen_ai.output.messages": json.dumps(
                [
                    {
                        "role": "assistant",
                        "parts": [
                            {"content": "", "type": "text"},
                            {"type": "tool_call", "name": "f", "id": "c", "arguments": {}},
                        ],
                        "finish_reason": "tool_call",
                    }
                ]
            ),
        },
        {
            "output": [
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c", "name": "f", "arguments": "{}"}],
                    "finish_reason": "tool_call",
                }
            ]
        },
    ),
    Case(
        "genai-system-instructions-plain-text-with-bracket",
        {
            "gen_ai.input.messages": "[]",
            "gen_ai.system_instructions": "[INST] Be nice.",
        },
        {"input": [{"role": "system", "content": "[INST] Be nice."}]},
    ),
    Case(
        "genai-messages-not-json",
        {"gen_ai.input.messages": "[{oops", "gen_ai.output.messages": "plain words"},
        {
            "input": "[{oops",
            "output": "plain words",
            "notes": [
                "gen_ai.input.messages: not the GenAI messages shape; kept raw",
                "gen_ai.output.messages: not the GenAI messages shape; kept raw",
            ],
        },
    ),
    Case(
        "genai-messages-wrong-shape",
        {"gen_ai.input.messages": "[1, 2]", "gen_ai.output.messages": '"text"'},
        {
            "input": "[1, 2]",
            "output": '"text"',
            "notes": [
                "gen_ai.input.messages: not the GenAI messages shape; kept raw",
                "gen_ai.output.messages: not the GenAI messages shape; kept raw",
            ],
        },
    ),
    # ------------------------------------------------------------ GenAI span events
    Case(
        "genai-span-events",
        {"gen_ai.operation.name": "chat"},
        {
            "kind": "LLM",
            "input": [
                {"role": "system", "content": "sys"},
                {"role": "user", "content": "hi"},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {"id": "c1", "name": "get_weather", "arguments": '{"city":"Paris"}'}
                    ],
                },
                {"role": "tool", "content": "20C", "tool_call_id": "c1"},
            ],
            "output": [{"role": "assistant", "content": "It is 20C.", "finish_reason": "stop"}],
        },
        events=[
            ("gen_ai.system.message", 1, {"content": "sys"}),
            ("gen_ai.user.message", 2, {"content": "hi"}),
            (
                "gen_ai.assistant.message",
                3,
                {
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                        }
                    ]
                },
            ),
            ("gen_ai.tool.message", 4, {"content": "20C", "id": "c1"}),
            (
                "gen_ai.choice",
                5,
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": "It is 20C."},
                },
            ),
            ("some.other.event", 6, {"content": "ignored"}),
        ],
    ),
    Case(
        "genai-choice-message-json-text",
        {},
        {
            "output": [{"role": "assistant", "content": "ok"}],
        },
        events=[("gen_ai.choice", 1, {"message": '{"content": "ok"}'})],
    ),
    Case(
        "genai-choice-message-not-json",
        {},
        {
            "output": [{"role": "assistant", "content": "{not json"}],
            "notes": ["gen_ai.choice: message is not JSON"],
        },
        events=[("gen_ai.choice", 1, {"message": "{not json"})],
    ),
    Case(
        "openllmetry-content-events",
        {},
        {
            "input": [{"role": "user", "content": "question"}],
            "output": [{"role": "assistant", "content": "answer"}],
        },
        events=[
            ("gen_ai.content.prompt", 1, {"gen_ai.prompt": "question"}),
            ("gen_ai.content.completion", 2, {"gen_ai.completion": "answer"}),
        ],
    ),
    Case(
        "attributes-win-over-events",
        {
            "gen_ai.input.messages": json.dumps(
                [{"role": "user", "parts": [{"type": "text", "content": "from attribute"}]}]
            ),
        },
        {
            "input": [{"role": "user", "content": "from attribute"}],
            "output": [{"role": "assistant", "content": "from event"}],
        },
        events=[
            ("gen_ai.user.message", 1, {"content": "from event"}),
            ("gen_ai.choice", 2, {"message": {"content": "from event"}}),
        ],
    ),
    # ------------------------------------------------------------ OpenInference
    Case(
        "openinference-llm",
        {
            "openinference.span.kind": "LLM",
            "llm.system": "openai",
            "llm.provider": "azure",
            "llm.model_name": "gpt-4o-mini-2024-07-18",
            "llm.input_messages.0.message.role": "system",
            "llm.input_messages.0.message.content": "Be terse.",
            "llm.input_messages.1.message.role": "user",
            "llm.input_messages.1.message.contents.0.message_content.type": "text",
            "llm.input_messages.1.message.contents.0.message_content.text": "Look at ",
            "llm.input_messages.1.message.contents.1.message_content.type": "image",
            "llm.input_messages.1.message.contents.1.message_content.image.image.url": "http://x",
            "llm.input_messages.1.message.contents.2.message_content.type": "text",
            "llm.input_messages.1.message.contents.2.message_content.text": "this.",
            "llm.input_messages.2.message.role": "tool",
            "llm.input_messages.2.message.tool_call_id": "call_0",
            "llm.input_messages.2.message.content": "sunny",
            "llm.output_messages.0.message.role": "assistant",
            "llm.output_messages.0.message.tool_calls.0.tool_call.id": "call_1",
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"a": 1}',
            "llm.output_messages.0.message.tool_calls.1.tool_call.function.name": "second",
            "llm.token_count.prompt": 100,
            "llm.token_count.completion": 40,
            "llm.token_count.total": 140,
            "llm.token_count.prompt_details.cache_read": 60,
            "llm.token_count.prompt_details.cache_write": 5,
            "llm.token_count.completion_details.reasoning": 10,
            "llm.token_count.prompt_details.audio": 0,
            "input.value": '{"raw": "request"}',
            "output.value": '{"raw": "response"}',
            "session.id": "sess",
            "user.id": "usr",
            "tag.tags": ["b", "a", "b"],
            "metadata": json.dumps({"tenant": "acme", "n": 1}),
        },
        {
            "kind": "LLM",
            "provider": "azure",
            "model": "gpt-4o-mini-2024-07-18",
            "input_tokens": 100,
            "output_tokens": 40,
            "total_tokens": 140,
            "cache_read_tokens": 60,
            "cache_write_tokens": 5,
            "reasoning_tokens": 10,
            "session_id": "sess",
            "user_id": "usr",
            "tags": ["a", "b"],
            "metadata": {"tenant": "acme", "n": 1},
            "input": [
                {"role": "system", "content": "Be terse."},
                {"role": "user", "content": "Look at this."},
                {"role": "tool", "tool_call_id": "call_0", "content": "sunny"},
            ],
            "output": [
                {
                    "role": "assistant",
                    "tool_calls": [
                        {"id": "call_1", "name": "get_weather", "arguments": '{"a": 1}'},
                        {"name": "second"},
                    ],
                }
            ],
        },
    ),
    Case(
        "openinference-chain-values",
        {
            "openinference.span.kind": "chain",
            "input.value": "question?",
            "output.value": "answer.",
        },
        {"kind": "CHAIN", "input": "question?", "output": "answer."},
    ),
    Case(
        "openinference-retriever",
        {
            "openinference.span.kind": "RETRIEVER",
            "input.value": "q",
            "retrieval.documents.1.document.id": "kb-2",
            "retrieval.documents.1.document.content": "second",
            "retrieval.documents.0.document.id": "kb-1",
            "retrieval.documents.0.document.content": "first",
            "retrieval.documents.0.document.score": 0.9,
            "retrieval.documents.0.document.metadata": '{"src": "wiki"}',
        },
        {
            "kind": "RETRIEVER",
            "input": "q",
            "output": [
                {"id": "kb-1", "content": "first", "score": 0.9, "metadata": '{"src": "wiki"}'},
                {"id": "kb-2", "content": "second"},
            ],
        },
    ),
    Case(
        "retriever-detected-from-documents",
        {
            "retrieval.documents.0.document.content": "doc",
        },
        {"kind": "RETRIEVER", "output": [{"content": "doc"}]},
    ),
    Case(
        "openinference-embedding",
        {
            "openinference.span.kind": "EMBEDDING",
            "embedding.model_name": "text-embedding-3-small",
            "llm.token_count.prompt": 5,
            "llm.token_count.total": 5,
        },
        {
            "kind": "EMBEDDING",
            "model": "text-embedding-3-small",
            "input_tokens": 5,
            "total_tokens": 5,
        },
    ),
    Case("openinference-kinds", {"openinference.span.kind": "GUARDRAIL"}, {"kind": "GUARDRAIL"}),
    Case(
        "openinference-unknown-kind",
        {"openinference.span.kind": "WIDGET", "gen_ai.operation.name": "chat"},
        {"kind": "LLM", "notes": ["unknown span kind 'WIDGET'"]},
    ),
    Case(
        "openinference-request-model-from-invocation-parameters",
        {
            "openinference.span.kind": "LLM",
            "llm.invocation_parameters": '{"model": "does-not-exist", "temperature": 0}',
        },
        {"kind": "LLM", "model": "does-not-exist"},
    ),
    Case(
        "openinference-response-model-wins",
        {
            "llm.model_name": "m-2024",
            "llm.invocation_parameters": '{"model": "m"}',
        },
        {"kind": "LLM", "model": "m-2024"},
    ),
    Case(
        "openinference-bad-invocation-parameters",
        {
            "openinference.span.kind": "EMBEDDING",
            "embedding.invocation_parameters": '{"model": ',
        },
        {"kind": "EMBEDDING"},
    ),
    Case("openinference-model-means-llm", {"llm.model_name": "m"}, {"kind": "LLM", "model": "m"}),
    # ------------------------------------------------------------ OpenLLMetry
    Case(
        "openllmetry-flattened",
        {
            "llm.request.type": "chat",
            "gen_ai.system": "Anthropic",
            "gen_ai.request.model": "claude-3-5-sonnet",
            "gen_ai.response.model": "claude-3-5-sonnet-1",
            "gen_ai.prompt.0.role": "system",
            "gen_ai.prompt.0.content": "sys",
            "gen_ai.prompt.1.role": "user",
            "gen_ai.prompt.1.content": "hi",
            "gen_ai.prompt.2.role": "tool",
            "gen_ai.prompt.2.tool_call_id": "t1",
            "gen_ai.prompt.2.content": "42",
            "gen_ai.completion.0.role": "assistant",
            "gen_ai.completion.0.content": "hello",
            "gen_ai.completion.0.finish_reason": "tool_calls",
            "gen_ai.completion.0.tool_calls.0.id": "t2",
            "gen_ai.completion.0.tool_calls.0.name": "calc",
            "gen_ai.completion.0.tool_calls.0.arguments": '{"x": 1}',
            "gen_ai.usage.prompt_tokens": 20,
            "gen_ai.usage.completion_tokens": 8,
            "llm.usage.total_tokens": 28,
            "gen_ai.user": "u-9",
        },
        {
            "kind": "LLM",
            "provider": "Anthropic",
            "model": "claude-3-5-sonnet-1",
            "input_tokens": 20,
            "output_tokens": 8,
            "total_tokens": 28,
            "user_id": "u-9",
            "input": [
                {"role": "system", "content": "sys"},
                {"role": "user", "content": "hi"},
                {"role": "tool", "tool_call_id": "t1", "content": "42"},
            ],
            "output": [
                {
                    "role": "assistant",
                    "content": "hello",
                    "finish_reason": "tool_calls",
                    "tool_calls": [{"id": "t2", "name": "calc", "arguments": '{"x": 1}'}],
                }
            ],
        },
    ),
    Case(
        "openllmetry-workflow",
        {
            "traceloop.span.kind": "workflow",
            "traceloop.entity.name": "summarise",
            "traceloop.entity.input": '{"ticket": "t"}',
            "traceloop.entity.output": '{"s": 1}',
            "traceloop.association.properties.session_id": "s-1",
            "traceloop.association.properties.user_id": "u-1",
            "traceloop.association.properties.tenant": "acme",
        },
        {
            "kind": "CHAIN",
            "input": '{"ticket": "t"}',
            "output": '{"s": 1}',
            "session_id": "s-1",
            "user_id": "u-1",
            "metadata": {"tenant": "acme"},
        },
    ),
    Case("openllmetry-task-tool-agent", {"traceloop.span.kind": "tool"}, {"kind": "TOOL"}),
    Case("openllmetry-agent", {"traceloop.span.kind": "agent"}, {"kind": "AGENT"}),
    Case(
        "openllmetry-embedding-request-type",
        {"llm.request.type": "embedding"},
        {"kind": "EMBEDDING"},
    ),
    Case(
        "openllmetry-legacy-prompt-text",
        {"gen_ai.prompt": "p", "gen_ai.completion": "c"},
        {"input": "p", "output": "c"},
    ),
    # ------------------------------------------------------------ session, user, env, release
    Case(
        "resource-environment-release-service",
        {},
        {"environment": "production", "release": "1.4.2", "service": "bot"},
        resource={
            "deployment.environment.name": "production",
            "service.version": "1.4.2",
            "service.name": "bot",
            "deployment.environment": "old",
        },
    ),
    Case(
        "resource-empty-names-are-missing",
        {},
        {"environment": None, "release": None, "service": None},
        resource={"deployment.environment.name": "", "service.version": "", "service.name": ""},
    ),
    Case(
        "resource-deprecated-environment",
        {},
        {"environment": "staging"},
        resource={"deployment.environment": "staging"},
    ),
    Case(
        "span-attributes-override-resource",
        {
            "deployment.environment.name": "canary",
            "spyglass.release": "2.0",
            # service.version on a span describes nothing: release is a resource property.
            "service.version": "9.9",
        },
        {"environment": "canary", "release": "2.0"},
        resource={"deployment.environment.name": "production", "service.version": "1.0"},
    ),
    Case(
        "user-and-session-aliases",
        {"enduser.id": "e", "spyglass.session.id": "ss"},
        {"user_id": "e", "session_id": "ss"},
    ),
    Case(
        "langfuse-attributes",
        {
            "langfuse.session.id": "ls",
            "langfuse.user.id": "lu",
            "langfuse.trace.tags": ["x"],
            "langfuse.environment": "dev",
            "langfuse.release": "r1",
            "langfuse.trace.metadata.team": "core",
            "langfuse.observation.input": "in",
            "langfuse.observation.output": "out",
        },
        {
            "session_id": "ls",
            "user_id": "lu",
            "tags": ["x"],
            "environment": "dev",
            "release": "r1",
            "metadata": {"team": "core"},
            "input": "in",
            "output": "out",
        },
    ),
    Case(
        "non-string-ids-are-stringified",
        {"session.id": 42, "user.id": 7},
        {"session_id": "42", "user_id": "7"},
    ),
    Case(
        "empty-ids-are-ignored",
        {"session.id": "", "gen_ai.conversation.id": "c"},
        {"session_id": "c"},
    ),
    # ------------------------------------------------------------ tags and metadata
    Case("tags-json-string", {"tag.tags": '["x", "y"]'}, {"tags": ["x", "y"]}),
    Case("tags-comma-string", {"spyglass.tags": "a, b,,c "}, {"tags": ["a", "b", "c"]}),
    Case(
        "tags-merged-from-every-key",
        {"tag.tags": ["a"], "spyglass.tags": ["b"], "langfuse.trace.tags": ["a"]},
        {"tags": ["a", "b"]},
    ),
    Case("tags-bad-json", {"tag.tags": '["a"'}, {"notes": ["tag.tags: not a JSON list"]}),
    Case("tags-not-a-list", {"tag.tags": 5}, {"notes": ["tag.tags: expected a list of strings"]}),
    Case(
        "metadata-structured-and-prefixed",
        {
            "metadata": {"a": 1},
            "spyglass.metadata": '{"b": [1, 2]}',
            "spyglass.metadata.c": "3",
        },
        {"metadata": {"a": 1, "b": [1, 2], "c": "3"}},
    ),
    Case("metadata-not-json", {"metadata": "{bad"}, {"notes": ["metadata: not valid JSON"]}),
    Case(
        "metadata-not-an-object",
        {"spyglass.metadata": "[1]"},
        {"notes": ["spyglass.metadata: expected a JSON object"]},
    ),
    # ------------------------------------------------------------ token convention
    Case(
        "openai-style-counts-unchanged",
        {
            "gen_ai.usage.input_tokens": 100,
            "gen_ai.usage.cache_read.input_tokens": 100,
            "gen_ai.usage.output_tokens": 10,
            "gen_ai.usage.reasoning.output_tokens": 10,
        },
        {
            "input_tokens": 100,
            "cache_read_tokens": 100,
            "output_tokens": 10,
            "reasoning_tokens": 10,
            "total_tokens": 110,
        },
    ),
    Case(
        "anthropic-exclusive-input-gets-cache-added",
        {
            "gen_ai.provider.name": "anthropic",
            "gen_ai.usage.input_tokens": 10,
            "gen_ai.usage.cache_read.input_tokens": 100,
            "gen_ai.usage.cache_creation.input_tokens": 20,
            "gen_ai.usage.output_tokens": 5,
        },
        {
            "provider": "anthropic",
            "input_tokens": 130,
            "cache_read_tokens": 100,
            "cache_write_tokens": 20,
            "output_tokens": 5,
            "total_tokens": 135,
            "notes": [
                "input_tokens 10 excluded cache tokens (120); added them (input includes cached, "
                "see the token convention)"
            ],
        },
    ),
    Case(
        "exclusive-reasoning-gets-added",
        {
            "gen_ai.usage.output_tokens": 5,
            "gen_ai.usage.reasoning.output_tokens": 8,
            "gen_ai.usage.input_tokens": 1,
        },
        {
            "input_tokens": 1,
            "output_tokens": 13,
            "reasoning_tokens": 8,
            "total_tokens": 14,
            "notes": ["output_tokens 5 excluded reasoning (8); added"],
        },
    ),
    Case(
        "sub-counts-without-totals",
        {"gen_ai.usage.cache_read.input_tokens": 3},
        {"cache_read_tokens": 3},
    ),
    Case(
        "numeric-strings-are-read",
        {"gen_ai.usage.input_tokens": "12", "gen_ai.usage.output_tokens": "3.0"},
        {"input_tokens": 12, "output_tokens": 3, "total_tokens": 15},
    ),
    # ------------------------------------------------------------ malformed values
    Case(
        "malformed-token-counts",
        {
            "gen_ai.usage.input_tokens": "many",
            "llm.token_count.prompt": 4,
            "gen_ai.usage.output_tokens": True,
            "gen_ai.usage.cache_read.input_tokens": [1, 2],
            "gen_ai.usage.reasoning.output_tokens": {"n": 1},
        },
        {
            "input_tokens": 4,
            "total_tokens": 4,
            "notes": [
                "gen_ai.usage.input_tokens: expected an integer, got 'many'",
                "gen_ai.usage.output_tokens: expected an integer, got a boolean",
                "gen_ai.usage.cache_read.input_tokens: expected an integer, got '[1, 2]'",
                "gen_ai.usage.reasoning.output_tokens: expected an integer, got \"{'n': 1}\"",
            ],
        },
    ),
    Case(
        "malformed-cost-and-ttft",
        {"gen_ai.usage.cost": "free", "spyglass.ttft_ms": "soon"},
        {
            "notes": [
                "gen_ai.usage.cost: expected a number, got 'free'",
                "spyglass.ttft_ms: expected a number",
            ]
        },
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_map_span(case: Case) -> None:
    m = map_span(case.attrs, case.resource, case.events)
    got = asdict(m)
    got["input"], got["output"] = _maybe_json(got["input"]), _maybe_json(got["output"])
    expected = {**DEFAULTS, **case.expected}
    assert got == expected


def _maybe_json(raw: str | None) -> Any:
    """Messages and documents are stored as JSON text; plain values stay as they are."""
    if raw is None or not raw.startswith("[{"):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


@pytest.mark.parametrize(
    "value",
    [
        math.inf,
        -math.inf,
        math.nan,
        "1e400",
        "inf",
        "nan",
        10**30,
        -(10**30),
        2**63,
    ],
)
@pytest.mark.parametrize(
    "key",
    [
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.output_tokens",
        "llm.token_count.total",
        "gen_ai.usage.cache_read.input_tokens",
        "gen_ai.usage.reasoning.output_tokens",
        "spyglass.ttft_ms",
        "gen_ai.server.time_to_first_token",
    ],
)
def test_out_of_range_numbers_add_a_note_and_are_dropped(key: str, value: Any) -> None:
    m = map_span({key: value}, {})
    # Token columns are BIGINT: a value the database cannot hold must never reach it.
    for field in (
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "cache_read_tokens",
        "reasoning_tokens",
        "ttft_ns",
    ):
        assert getattr(m, field) is None, field
    assert len(m.notes) == 1
    assert m.notes[0].startswith(key)


def test_notes_are_short_for_huge_values() -> None:
    m = map_span({"gen_ai.usage.input_tokens": "x" * 100_000}, {})
    assert m.notes == ["gen_ai.usage.input_tokens: expected an integer, got '" + "x" * 40 + "'"]


# ---------------------------------------------------------------------------- never raises

_KEYS = sorted(
    {
        "openinference.span.kind",
        "spyglass.span.kind",
        "traceloop.span.kind",
        "gen_ai.operation.name",
        "llm.request.type",
        "gen_ai.provider.name",
        "gen_ai.system",
        "gen_ai.request.model",
        "gen_ai.response.model",
        "llm.model_name",
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.total_tokens",
        "gen_ai.usage.cache_read.input_tokens",
        "gen_ai.usage.cache_creation.input_tokens",
        "gen_ai.usage.reasoning.output_tokens",
        "llm.token_count.prompt",
        "gen_ai.usage.cost",
        "spyglass.ttft_ms",
        "gen_ai.server.time_to_first_token",
        "session.id",
        "user.id",
        "tag.tags",
        "spyglass.tags",
        "metadata",
        "spyglass.metadata",
        "spyglass.metadata.x",
        "traceloop.association.properties.session_id",
        "deployment.environment.name",
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system_instructions",
        "llm.input_messages.0.message.role",
        "llm.input_messages.0.message.content",
        "llm.input_messages.x.message.role",
        "llm.input_messages.0.message.tool_calls.0.tool_call.id",
        "llm.input_messages.0.message.contents.0.message_content.text",
        "llm.output_messages.1.message.content",
        "gen_ai.prompt.0.content",
        "gen_ai.completion.0.tool_calls.0.name",
        "retrieval.documents.0.document.content",
        "input.value",
        "output.value",
        "gen_ai.prompt",
        "traceloop.entity.input",
    }
)
_values = st.recursive(
    # Decoded OTLP integers are int64 (protobuf's type; the JSON decoder enforces it).
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "[",
            "[{",
            "{}",
            "[]",
            '[{"role": 1}]',
            '[{"parts": 5}]',
            '[{"parts": [{"type": "tool_call"}, 3, {"type": "tool_call_response"}]}]',
            '{"role": "user"}',
            "1e999",
            "-0",
            "null",
            '"s"',
        ]
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "role",
                    "content",
                    "parts",
                    "type",
                    "tool_calls",
                    "id",
                    "name",
                    "arguments",
                    "function",
                    "response",
                    "text",
                    "finish_reason",
                    "message",
                ]
            )
            | st.text(max_size=5),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)
_events = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "gen_ai.system.message",
                "gen_ai.user.message",
                "gen_ai.assistant.message",
                "gen_ai.tool.message",
                "gen_ai.choice",
                "gen_ai.content.prompt",
                "gen_ai.content.completion",
                "exception",
            ]
        ),
        st.integers(min_value=0, max_value=2**63),
        st.dictionaries(
            st.sampled_from(
                [
                    "content",
                    "role",
                    "id",
                    "tool_calls",
                    "message",
                    "finish_reason",
                    "gen_ai.prompt",
                    "gen_ai.completion",
                ]
            ),
            _values,
            max_size=4,
        ),
    ),
    max_size=4,
)


# Flattened keys with odd indices: "²", "٣", "-1", "", " 1" and more digits than int() takes
# are not message numbers.
_FLAT_KEYS = st.builds(
    "{}{}.{}".format,
    st.sampled_from(
        [
            "llm.input_messages.",
            "llm.output_messages.",
            "gen_ai.prompt.",
            "gen_ai.completion.",
            "retrieval.documents.",
        ]
    ),
    st.sampled_from(["0", "1", "12", "²", "٣", "-1", "", " 1", "1e3", "9" * 4_301])
    | st.text(max_size=3),
    st.sampled_from(["content", "role", "message.content", "message.role", "document.content"]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(_KEYS) | st.text(max_size=20) | _FLAT_KEYS, _values, max_size=12
    ),
    st.dictionaries(
        st.sampled_from(["service.name", "service.version", "deployment.environment"]),
        _values,
        max_size=3,
    ),
    _events,
)
def test_map_span_never_raises(
    attrs: dict[str, Any], resource: dict[str, Any], events: list[tuple[str, int, dict[str, Any]]]
) -> None:
    m = map_span(attrs, resource, events)
    assert isinstance(m.kind, str)
    for field in (
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "reasoning_tokens",
        "ttft_ns",
    ):
        value = getattr(m, field)
        assert value is None or -(2**63) <= value < 2**63, (field, value)
    for field in ("input", "output"):
        assert getattr(m, field) is None or isinstance(getattr(m, field), str)
    assert all(isinstance(n, str) for n in m.notes)


def test_flattened_keys_with_non_ascii_digits_are_not_messages() -> None:
    # "²".isdigit() is True but int("²") fails, and int() takes at most 4,300 digits: such
    # keys once failed the whole request.
    m = map_span(
        {
            "gen_ai.prompt.\u00b2.content": "superscript",
            "gen_ai.prompt.\u0663.content": "arabic-indic",
            "gen_ai.prompt." + "1" * 4_301 + ".content": "too long",
            "gen_ai.prompt.0.role": "user",
            "gen_ai.prompt.0.content": "hello",
        },
        {},
    )
    assert m.input is not None
    assert "hello" in m.input
    assert "superscript" not in m.input and "arabic-indic" not in m.input
    assert "too long" not in m.input


def test_key_plans_are_per_key_set_and_bounded() -> None:
    from spyglass.semconv import mapping

    mapping._plans.clear()
    first = map_span(
        {"gen_ai.prompt.0.content": "one", "gen_ai.request.model": "m1", "user.id": "u1"}, {}
    )
    second = map_span(
        {"gen_ai.prompt.0.content": "two", "gen_ai.request.model": "m2", "user.id": "u2"}, {}
    )
    assert len(mapping._plans) == 1  # the same keys: one plan, read with each span's values
    assert (first.model, first.user_id) == ("m1", "u1")
    assert (second.model, second.user_id) == ("m2", "u2")
    assert first.input is not None and "one" in first.input
    assert second.input is not None and "two" in second.input and "one" not in second.input
    # Another order of the same keys is another key set, with the same result.
    third = map_span(
        {"user.id": "u3", "gen_ai.request.model": "m3", "gen_ai.prompt.0.content": "x"}, {}
    )
    assert (third.model, third.user_id) == ("m3", "u3")
    # A long flattened conversation is mapped without keeping its plan.
    long = {f"gen_ai.prompt.{i}.content": f"turn {i}" for i in range(100)}
    assert "turn 99" in (map_span(long, {}).input or "")
    assert tuple(long) not in mapping._plans
    # A new key set per span fills the cache only up to its bound.
    for i in range(mapping._PLAN_CACHE_SIZE + 10):
        map_span({f"k{i}": 1}, {})
    assert len(mapping._plans) <= mapping._PLAN_CACHE_SIZE
