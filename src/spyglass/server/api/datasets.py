"""Datasets: items to run experiments over, stored in the project.

Items have the format of a dataset JSONL line (``input`` required; ``expected``,
``documents``, ``metadata``, ``id``, ``trace_id`` optional). An item without an id gets the
hash of its content, as in the SDK, and adding an item with an id already in the dataset
replaces it in place. ``version`` is the content hash of all items in order — the same as
``spyglass.evals.Dataset(items).version`` — so ``push_dataset`` and ``pull_dataset`` agree.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from spyglass.exceptions import NotFound
from spyglass.server.api import params
from spyglass.server.api.bodies import LimitedBodyRoute
from spyglass.server.api.traces import MAX_PAGE
from spyglass.server.auth import ProjectId
from spyglass.server.blocking import run_blocking
from spyglass.server.dataset_items import dataset_name, expected_from, item_from_trace, items_of
from spyglass.server.state import store_of
from spyglass.storage.eval_models import DatasetInfo, DatasetItem, ItemsWritten

router = APIRouter(prefix="/api", tags=["datasets"], route_class=LimitedBodyRoute)

MAX_DESCRIPTION = 10_000


class DatasetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)


class DatasetList(BaseModel):
    items: list[DatasetInfo]


class DatasetPage(BaseModel):
    name: str
    description: str | None
    version: str
    item_count: int
    items: list[DatasetItem]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last page."
    )


class ItemsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[dict[str, Any]] = Field(
        description="Items in the dataset file format: `input` required; `id`, `expected`, "
        "`documents`, `metadata`, `trace_id` optional."
    )


class FromTraceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trace_id: str
    expected: Any = Field(
        None, description="The expected output; left out: the root span's output."
    )

    @field_validator("expected")
    @classmethod
    def _json_value(cls, value: Any) -> Any:
        # The stdlib parser takes NaN and Infinity, which the answer could then not hold.
        try:
            json.dumps(value, allow_nan=False)
        except (ValueError, TypeError) as exc:
            raise ValueError("NaN and infinities are not JSON values") from exc
        return value


@router.post(
    "/datasets",
    response_model=DatasetInfo,
    status_code=201,
    summary="Create a dataset (200 with the existing one if the name is taken)",
)
async def create_dataset(
    request: Request, response: Response, project_id: ProjectId, body: DatasetIn
) -> DatasetInfo:
    name = dataset_name(body.name)
    store = store_of(request)
    info, created = await run_blocking(store.create_dataset, project_id, name, body.description)
    if not created:
        response.status_code = 200
    return info


@router.get("/datasets", response_model=DatasetList, summary="The project's datasets, by name")
async def list_datasets(request: Request, project_id: ProjectId) -> DatasetList:
    return DatasetList(items=await run_blocking(store_of(request).list_datasets, project_id))


@router.get(
    "/datasets/{name}",
    response_model=DatasetPage,
    summary="A dataset and a page of its items, in order",
    responses={404: {"description": "no such dataset in the project"}},
)
async def get_dataset(
    request: Request,
    project_id: ProjectId,
    name: str,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    cursor: str | None = None,
) -> DatasetPage:
    name = dataset_name(name)
    store = store_of(request)
    info = await run_blocking(store.get_dataset, project_id, name)
    page = await run_blocking(store.list_dataset_items, project_id, name, limit, cursor)
    if info is None or page is None:
        raise NotFound(f"there is no dataset {name!r} in this project")
    return DatasetPage(
        name=info.name,
        description=info.description,
        version=info.version,
        item_count=info.item_count,
        items=page.items,
        next_cursor=page.next_cursor,
    )


@router.post(
    "/datasets/{name}/items",
    response_model=ItemsWritten,
    summary="Add items (creating the dataset if needed); known ids are replaced",
)
async def add_items(
    request: Request, project_id: ProjectId, name: str, body: ItemsIn
) -> ItemsWritten:
    name = dataset_name(name)
    items = items_of(body.items)
    return await run_blocking(store_of(request).put_dataset_items, project_id, name, items)


@router.post(
    "/datasets/{name}/items/from-trace",
    response_model=DatasetItem,
    status_code=201,
    summary="Add a trace of the project as an item: its root span's input and output",
    responses={404: {"description": "no such trace in the project"}},
)
async def add_trace(
    request: Request, project_id: ProjectId, name: str, body: FromTraceIn
) -> JSONResponse:
    name = dataset_name(name)
    tid = params.trace_id(body.trace_id)
    store = store_of(request)
    expected = expected_from({k: getattr(body, k) for k in body.model_fields_set})
    item = await item_from_trace(store, project_id, tid, expected)
    await run_blocking(store.put_dataset_items, project_id, name, [item])
    return JSONResponse(item.to_dict(), status_code=201)


@router.delete(
    "/datasets/{name}/items/{item_id}",
    status_code=204,
    summary="Remove an item from a dataset",
    responses={404: {"description": "no such dataset or item"}},
)
async def delete_item(request: Request, project_id: ProjectId, name: str, item_id: str) -> Response:
    name = dataset_name(name)
    removed = await run_blocking(store_of(request).delete_dataset_item, project_id, name, item_id)
    if not removed:
        raise NotFound(f"dataset {name!r} has no item {item_id!r}")
    return Response(status_code=204)
