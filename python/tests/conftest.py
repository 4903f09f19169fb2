"""Test helpers: the real framecast binary on free ports, and a viewer."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import numpy as np
import pytest

from framecast.wire import decode_frame

REPO = Path(__file__).resolve().parents[2]
PUBLISH = "publish-token-0123456789"
VIEW = "view-token-abcdefghijkl"


def binary() -> str:
    """The framecast binary under test: $FRAMECAST_BIN or build/bin/framecast."""
    path = os.environ.get("FRAMECAST_BIN") or str(REPO / "build" / "bin" / "framecast")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no framecast binary at {path}: run make build, or set FRAMECAST_BIN")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(cond: Callable[[], Any], timeout: float, what: str, every: float = 0.02) -> Any:
    """Poll cond until it is true; fail saying what was awaited."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        time.sleep(every)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


class Program:
    """A framecast process (relay or serve) on a port of its own."""

    def __init__(self, args: List[str], port: int) -> None:
        self.args = args
        self.port = port
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen([binary(), *self.args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert self.proc.stderr is not None
        self._drain = threading.Thread(target=self.proc.stderr.read, daemon=True)
        self._drain.start()
        wait_for(self._healthy, 20, f"framecast {self.args[0]} on port {self.port}", 0.05)

    def _healthy(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            pytest.fail(f"framecast {' '.join(self.args)} exited with {self.proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def relay() -> Any:
    """framecast relay --publish-token PUBLISH on a free port."""
    port = free_port()
    p = Program(["relay", "--addr", f"127.0.0.1:{port}", "--publish-token", PUBLISH], port)
    yield p
    p.stop()


class Viewer:
    """A WebSocket viewer that acks each frame and keeps their headers (and
    the last picture), in a thread of its own."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.headers: List[Dict[str, Any]] = []
        self.last_jpeg = b""
        self.error: Optional[BaseException] = None
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._stop: Optional[asyncio.Event] = None
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._run(),), daemon=True)
        self._thread.start()

    async def _run(self) -> None:
        import websockets

        self._stop = asyncio.Event()
        while not self._stop.is_set():
            try:
                async with websockets.connect(self.url, max_size=16 << 20, compression=None) as ws:
                    stopping = asyncio.ensure_future(self._stop.wait())
                    while True:
                        recv = asyncio.ensure_future(ws.recv())
                        await asyncio.wait({recv, stopping}, return_when=asyncio.FIRST_COMPLETED)
                        if stopping.done():
                            recv.cancel()
                            return
                        msg = recv.result()
                        if isinstance(msg, bytes):
                            h, jpeg = decode_frame(msg)
                            with self._lock:
                                self.headers.append(h)
                                self.last_jpeg = jpeg
                            await ws.send(json.dumps({"type": "ack", "seq": h["seq"]}))
            except Exception as e:  # the server went away: look again, as the page does
                self.error = e
                await asyncio.sleep(0.1)

    def frames(self) -> List[Dict[str, Any]]:
        with self._lock:
            return [h for h in self.headers if not h.get("placeholder")]

    def close(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)


def picture(w: int = 1280, h: int = 720, n: int = 0) -> np.ndarray:
    """A BGR test picture with something in it that JPEG keeps."""
    img = np.zeros((h, w, 3), np.uint8)
    img[:, :, 1] = np.linspace(0, 255, w, dtype=np.uint8)[None, :]
    x = (n * 7) % max(1, w - 100)
    img[h // 4 : h // 4 + 100, x : x + 100] = (255, 255, 255)
    return img
