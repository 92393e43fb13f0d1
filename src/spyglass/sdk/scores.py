"""Send scores (user feedback from the app) to the server in the background.

``spyglass.score()`` only queues: the app's request path never waits for the network. One
thread posts to ``/api/scores`` with retries; the queue is bounded and drops are counted.
"""

from __future__ import annotations

import collections
import logging
import os
import threading
import time
import weakref
from typing import Any

import httpx

logger = logging.getLogger("spyglass")

# Scores waiting at most; feedback is small and rare, so this only matters with the server down.
MAX_QUEUED_SCORES = 10_000
RETRIES = 3


# Live instances: one fork hook, registered once, restarts their threads in a child process.
# (A hook per instance would keep every instance ever configured alive.)
_LIVE: weakref.WeakSet[ScoreSender] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for instance in list(_LIVE):
        instance._reset()


os.register_at_fork(after_in_child=_after_fork_in_child)


class ScoreSender:
    def __init__(self, endpoint: str, api_key: str, timeout_s: float) -> None:
        self._url = endpoint.rstrip("/") + "/api/scores"
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._timeout = timeout_s
        self.dropped = 0
        self._closing = False
        self._reset()
        _LIVE.add(self)

    def _reset(self) -> None:
        self._cond = threading.Condition()
        self._queue: collections.deque[dict[str, Any]] = collections.deque()
        self._queued = 0
        self._done = 0
        self._thread = threading.Thread(target=self._run, name="spyglass-scores", daemon=True)
        self._thread.start()

    def send(self, body: dict[str, Any]) -> None:
        with self._cond:
            if len(self._queue) >= MAX_QUEUED_SCORES:
                self.dropped += 1
                return
            self._queue.append(body)
            self._queued += 1
            self._cond.notify_all()

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout, headers=self._headers) as client:
            while True:
                with self._cond:
                    while not self._queue and not self._closing:
                        self._cond.wait()
                    if not self._queue:
                        return
                    body = self._queue.popleft()
                self._post(client, body)
                with self._cond:
                    self._done += 1
                    self._cond.notify_all()

    def _post(self, client: httpx.Client, body: dict[str, Any]) -> None:
        delay = 0.5
        for attempt in range(RETRIES + 1):
            try:
                resp = client.post(self._url, json=body)
            except httpx.TransportError as exc:
                problem = repr(exc)
            else:
                if resp.status_code < 300:
                    return
                problem = f"{resp.status_code} {resp.text[:200]}"
                if resp.status_code not in (408, 429, 502, 503, 504):
                    break
            if attempt < RETRIES:
                time.sleep(delay)
                delay *= 2
        self.dropped += 1
        logger.warning("spyglass: score %r not recorded: %s", body.get("name"), problem)

    def flush(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            target = self._queued
            while self._done < target:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return False
                self._cond.wait(left)
        return True

    def close(self) -> None:
        self.flush(5.0)
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(5.0)
