"""A relay played by the test: it records what the producer sends, says
what the test tells it to, and reads only while the test lets it."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from typing import Any, Dict, List, Optional, Tuple

import websockets

from framecast.wire import decode_frame


class FakeRelay:
    """FakeRelay accepts producers on ws://127.0.0.1:port/ingest/<any>,
    greets each with a viewer count, and keeps their messages: control
    messages in offers, frames in frames. While paused it reads nothing, and
    its socket's small receive buffer fills, so the producer's writes block
    as on a slow link."""

    def __init__(self, viewers: int = 1, rcvbuf: int = 16 << 10) -> None:
        self.viewers = viewers
        self.offers: List[Dict[str, Any]] = []
        self.frames: List[Tuple[Dict[str, Any], bytes]] = []
        self.lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._ready = threading.Event()
        self._conns: List[Any] = []
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(5)

    async def _start(self) -> None:
        self._reading = asyncio.Event()
        self._reading.set()
        self._server = await websockets.serve(self._handle, sock=self._sock, max_size=32 << 20, max_queue=1,
                                              read_limit=1 << 12, compression=None)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ingest/cam"

    async def _handle(self, ws: Any, path: str = "") -> None:
        self._conns.append(ws)
        await ws.send(json.dumps({"count": self.viewers, "type": "viewers"}))
        while True:
            await self._reading.wait()
            try:
                msg = await ws.recv()
            except websockets.exceptions.ConnectionClosed:
                return
            with self.lock:
                if isinstance(msg, bytes):
                    self.frames.append(decode_frame(msg))
                else:
                    self.offers.append(json.loads(msg))

    def say(self, message: Dict[str, Any]) -> None:
        """Send message to every producer connected."""
        async def run() -> None:
            for ws in self._conns:
                await ws.send(json.dumps(message, separators=(",", ":")))
        asyncio.run_coroutine_threadsafe(run(), self._loop).result(5)

    def pause(self, paused: bool) -> None:
        """Stop reading (the producer's writes soon block), or go on."""
        self._loop.call_soon_threadsafe(self._reading.clear if paused else self._reading.set)

    def headers(self, rendition: Optional[str] = None) -> List[Dict[str, Any]]:
        with self.lock:
            return [h for h, _ in self.frames if h.get("rendition") == rendition]

    def close(self) -> None:
        async def run() -> None:
            self._reading.set()
            self._server.close()
            await self._server.wait_closed()
        asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
