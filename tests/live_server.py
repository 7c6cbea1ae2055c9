"""Run ``carnet serve`` as a real process on a loopback port, as an operator would."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, kw_only=True)
class LiveServer:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path

    def crash(self) -> None:
        """SIGKILL the server and its workers at once, as a power cut would stop them."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextmanager
def live_server(
    data_dir: Path,
    *,
    database_url: str | None = None,
    profile: str = "ihe",
    workers: int = 2,
    threads: int = 4,
    extra_env: dict[str, str] | None = None,
    tls: ssl.SSLContext | None = None,
) -> Iterator[LiveServer]:
    """Start the server, wait until it answers, stop it with SIGTERM at the end.

    With ``tls`` (the client's context: the server's CA, a client certificate if the server
    asks for one), the server speaks HTTPS (its ``CARNET_TLS_*`` given in ``extra_env``): the
    URL is ``https://`` and the readiness probe goes through ``tls``.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "carnet",
        "serve",
        "--data",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--profile",
        profile,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    if database_url is not None:
        command += ["--database-url", database_url]
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "server.log"
    env = {**os.environ, **(extra_env or {})}
    with log.open("wb") as output:
        # A session of its own, so a test can kill the master and its workers at once.
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"{'https' if tls is not None else 'http'}://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"carnet serve exited {process.returncode}:\n{log.read_text()}")
            try:
                probe = httpx.get(url + "/xds/registry?wsdl", timeout=1, verify=tls or True)
                if probe.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"carnet serve did not answer in 30 s:\n{log.read_text()}")
            time.sleep(0.1)
        yield LiveServer(url=url, data_dir=data_dir, process=process, log=log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
