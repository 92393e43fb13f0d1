"""``spyglass demo``: a server with sample traces in it, in one command."""

from __future__ import annotations

import signal
import threading
import time

import httpx
from rich.console import Console
from rich.progress import Progress

from spyglass._demo.sample import requests
from spyglass.cli.serve import make_server, prepare_store
from spyglass.settings import Settings

console = Console(stderr=True, soft_wrap=True)
# How long to wait for the server to start listening before giving up.
STARTUP_TIMEOUT_S = 30.0


def run_demo(settings: Settings, n_traces: int, exit_after: bool) -> None:
    # uvicorn runs in a thread here, so it installs no signal handlers of its own: SIGTERM
    # (systemd, docker stop, timeout) stops the demo as Ctrl-C does, ingest processes included.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    store, first_key = prepare_store(settings)
    # On a first start, the key just printed: one key for the newcomer to use, not two.
    key = first_key or store.create_key("default", name="demo").secret
    server = make_server(settings, store)
    thread = threading.Thread(target=server.run, name="spyglass-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            console.print("[red]error:[/] the server did not start (is the port in use?)")
            raise SystemExit(1)
        time.sleep(0.05)
    base = f"http://{settings.host}:{settings.port}"
    sent = 0
    with (
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client,
        Progress(console=console, transient=True) as progress,
    ):
        task = progress.add_task("sending sample traces over OTLP", total=n_traces)
        for body, n_spans in requests(n_traces, spans_per_request=256, seed=int(time.time())):
            resp = client.post(
                "/v1/traces", content=body, headers={"Content-Type": "application/x-protobuf"}
            )
            resp.raise_for_status()
            sent += n_spans
            progress.update(task, completed=min(n_traces, sent // 4))
    console.print(
        f"Sent {sent} spans ({n_traces} traces) to Spyglass.\n"
        f"  Web UI:   {base}/   (accounts: `spyglass users create`)\n"
        f"  API:      {base}/api/traces   (docs: {base}/docs)\n"
        f"  API key:  [bold green]{key}[/]\n"
        f"  Try:      curl -H 'Authorization: Bearer {key}' '{base}/api/traces?limit=5'\n"
        f"  OTLP:     OTEL_EXPORTER_OTLP_ENDPOINT={base} "
        f"OTEL_EXPORTER_OTLP_HEADERS='Authorization=Bearer%20{key}'"
    )
    if exit_after:
        server.should_exit = True
        thread.join()
        store.close()
        return

    try:
        # Inside the try: a Ctrl-C right after the line appears still lands in the handler.
        console.print("Serving until Ctrl-C.")
        thread.join()
    except KeyboardInterrupt:
        server.should_exit = True
        thread.join()
    finally:
        store.close()
