"""Model prices: the effective table of the key's project, and the project's own prices.

``GET /api/prices`` lists every priced model with the source of its prices: ``shipped`` (the
list prices shipped with Spyglass), ``file`` (the ``prices_file`` setting) or ``project``
(set here). ``PUT /api/prices/{model}`` sets one price period of a model for the project
(replacing the period with the same ``effective_from``); ``DELETE`` removes the model's
custom periods, or one of them with ``?effective_from=``. Ingest applies a change on this
server at once and on other replicas within ``PROJECT_PRICES_TTL_S``.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from spyglass.exceptions import BadRequest, NotFound
from spyglass.pricing import PriceTableError
from spyglass.pricing.table import parse_effective_from
from spyglass.server.api.bodies import LimitedBodyRoute
from spyglass.server.auth import ProjectId
from spyglass.server.blocking import run_blocking
from spyglass.server.state import AppState
from spyglass.storage.models import ProjectPrice

router = APIRouter(prefix="/api", tags=["prices"], route_class=LimitedBodyRoute)

# Long enough for provider/model names and Bedrock ids; the column is String(200).
MAX_MODEL_NAME = 200

Rate = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True)]


class PriceIn(BaseModel):
    """One price period of a model, USD per 1M tokens."""

    model_config = ConfigDict(extra="forbid")

    input: Rate = Field(description="Uncached input tokens.")
    output: Rate = Field(description="Output tokens (reasoning too, unless `reasoning` is set).")
    cache_read: Rate | None = Field(None, description="Cache-read tokens; default: `input`.")
    cache_write: Rate | None = Field(None, description="Cache-write tokens; default: `input`.")
    reasoning: Rate | None = Field(None, description="Reasoning tokens; default: `output`.")
    effective_from: str | int | None = Field(
        None,
        description="ISO date or time (UTC) or epoch ns from which these prices apply; "
        "null: always (until a later period).",
    )


def model_name_of(raw: str) -> str:
    name = raw.strip().lower()
    if not name or len(name) > MAX_MODEL_NAME:
        raise BadRequest(f"model name must be 1 to {MAX_MODEL_NAME} characters")
    return name


def parse_effective(value: str | int | None) -> int:
    try:
        return parse_effective_from(value, "effective_from")
    except PriceTableError as exc:
        raise BadRequest(str(exc)) from exc


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.spyglass
    return state


@router.get("/prices", summary="The effective price table of the project")
async def list_prices(request: Request, project_id: ProjectId) -> dict[str, Any]:
    state = _state(request)
    table = await state.prices.table_for(state.store, project_id)
    return {
        "version": table.version,
        "currency": "USD",
        "unit": "per 1M tokens",
        "models": [m.as_dict() for m in table.models()],
    }


@router.put("/prices/{model:path}", summary="Set a price period of a model for the project")
async def put_price(
    request: Request, project_id: ProjectId, model: str, body: PriceIn
) -> dict[str, Any]:
    state = _state(request)
    price = ProjectPrice(
        model=model_name_of(model),
        effective_from_ns=parse_effective(body.effective_from),
        input=body.input,
        output=body.output,
        cache_read=body.cache_read,
        cache_write=body.cache_write,
        reasoning=body.reasoning,
        updated_ns=time.time_ns(),
    )
    await run_blocking(state.store.put_model_price, project_id, price)
    state.prices.invalidate(project_id)
    table = await state.prices.table_for(state.store, project_id)
    return table.entries[price.model].as_dict()


@router.delete(
    "/prices/{model:path}",
    status_code=204,
    summary="Remove a model's custom prices (or one period of them) from the project",
    responses={404: {"description": "the project has no such custom price"}},
)
async def delete_price(
    request: Request, project_id: ProjectId, model: str, effective_from: str | None = None
) -> Response:
    state = _state(request)
    name = model_name_of(model)
    start: int | None = None
    if effective_from is not None:
        # ASCII digits only: "²".isdigit() is True, and int() refuses it.
        digits = effective_from.isascii() and effective_from.isdigit()
        if digits and len(effective_from) > 19:  # int() refuses over 4,300 digits
            raise BadRequest("effective_from is out of range (at most 19 digits of ns)")
        start = parse_effective(int(effective_from) if digits else effective_from)
    removed = await run_blocking(state.store.delete_model_prices, project_id, name, start)
    state.prices.invalidate(project_id)
    if not removed:
        raise NotFound(f"the project has no custom price for {name!r}")
    return Response(status_code=204)
