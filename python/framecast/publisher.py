"""Publisher: a producer on a Framecast relay's or server's /ingest/<name>."""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
from typing import Any, Deque, Dict, List, Mapping, Optional, Set, Tuple

import cv2
import numpy as np
import websockets.exceptions
from numpy.typing import NDArray
from websockets.legacy.client import connect

from . import wire
from .backoff import DEFAULT_FIRST, DEFAULT_MAX, Backoff
from .detections import Detection, scale, to_detections
from .mask import use_fast_mask
from .urls import ingest_url, redact, scrub

# How often the producer pings the relay, and how long it waits for the pong
# (protocol.ProducerPingPeriod, ProducerPongWait), and a write's limit
# (protocol.WriteWait).
PING_PERIOD = 20.0
PONG_WAIT = 30.0
WRITE_WAIT = 10.0
# A connect that takes longer than this is given up and retried.
CONNECT_TIMEOUT = 10.0
# The relay's messages are small (counts, lists, audit records).
MAX_RELAY_MESSAGE = 1 << 20
# fps is measured over this many seconds.
FPS_WINDOW = 2.0


class RefusedError(Exception):
    """RefusedError says the server refused this producer for good: a wrong
    publish token (HTTP 401), or a URL it cannot take (400, 403). Retrying
    cannot help; raised by Publisher.send and Publisher.wait_connected."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        #: The HTTP status of the refusal.
        self.status = status


class _Item:
    """One frame given to send, waiting in the mailbox for the sender."""

    __slots__ = ("frame", "ts", "detections", "meta")

    def __init__(self, frame: NDArray[np.uint8], ts: int, detections: List[Detection], meta: Optional[Dict[str, str]]) -> None:
        self.frame = frame
        self.ts = ts
        self.detections = detections
        self.meta = meta


class Publisher:
    """Publisher sends frames, with their detections, to one stream of a
    Framecast relay or server, from a background thread.

    url is the producer URL, ``ws://HOST:PORT/ingest/<stream>``; the
    publish token goes in its query as ``token``, the view token (a relay's
    ``view``, the stream's viewer token there) as ``view``, and other
    parameters are kept. The publisher connects at once and reconnects with
    backoff (0.5 s doubling to 10 s, jittered) whenever the link is lost.
    quality is the JPEG quality of the stream's own size; renditions says
    whether smaller copies (640×360, 426×240, 320×180) are offered to a
    relay, made only while its viewers take them. While the relay says
    nobody watches, frames are not encoded or sent (``skip_unwatched``).

    Use it as a context manager, or call close()::

        with framecast.Publisher("ws://relay:8188/ingest/cam", publish_token=P, view_token=V) as pub:
            pub.send(frame, detections=[{"label": "face", "score": 0.9, "box": [10, 20, 64, 64]}])
    """

    def __init__(self, url: str, publish_token: str, view_token: Optional[str] = None, *,
                 quality: int = 80, renditions: bool = True, skip_unwatched: bool = True,
                 logger: Optional[logging.Logger] = None,
                 backoff: Tuple[float, float] = (DEFAULT_FIRST, DEFAULT_MAX)) -> None:
        if not 1 <= quality <= 100:
            raise ValueError("quality: 1 to 100")
        self._url = ingest_url(url, publish_token, view_token)
        self._where = redact(self._url)
        self._secrets = [s for s in (publish_token, view_token) if s]
        self._quality = quality
        self._renditions = renditions
        self._skip_unwatched = skip_unwatched
        self._log = logger or logging.getLogger("framecast")
        self._backoff = Backoff(*backoff)

        # The mailbox: the newest frame given to send, not yet taken by the
        # sender. _lock guards it and every field below it; the sender is
        # woken through _loop.call_soon_threadsafe.
        self._lock = threading.Lock()
        self._slot: Optional[_Item] = None
        self._closed = False
        self._refused: Optional[RefusedError] = None
        self._connected = False
        self._viewers: Optional[int] = None
        self._last_error = ""
        self._sent = 0
        self._dropped = 0
        self._skipped = 0
        self._renditions_sent = 0
        self._encode_ms = 0.0
        self._sent_at: Deque[float] = collections.deque()
        self._connected_cond = threading.Condition(self._lock)

        # Only the sender's thread uses these.
        self._seq = 0
        self._want: Set[str] = set()

        use_fast_mask()
        self._loop = asyncio.new_event_loop()
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._run, name="framecast-publisher", daemon=True)
        self._thread.start()

    # The caller's side.

    def __enter__(self) -> "Publisher":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def send(self, frame_bgr: NDArray[np.uint8], detections: Any = None, meta: Optional[Mapping[str, str]] = None) -> None:
        """Give the sender a frame (BGR, or grey, uint8, as OpenCV reads
        them) with what was found in it, captured now.

        It returns at once: the frame is copied into a one-frame mailbox
        where the newest wins (a frame the sender had not taken yet is
        dropped and counted), and encoded and sent in the background.
        detections are as framecast.to_detections takes them; meta is up to
        32 string keys and values, passed to viewers in the header. Raises
        RefusedError once the server refused this producer.
        """
        ts = time.time_ns() // 1000
        if self._refused is not None:
            raise self._refused
        if self._closed:
            raise RuntimeError("framecast: send on a closed Publisher")
        if not isinstance(frame_bgr, np.ndarray) or frame_bgr.dtype != np.uint8 or not (
                frame_bgr.ndim == 2 or (frame_bgr.ndim == 3 and frame_bgr.shape[2] in (1, 3))):
            raise ValueError("frame: a uint8 numpy array, h×w×3 (BGR) or h×w (grey)")
        if frame_bgr.shape[0] < 16 or frame_bgr.shape[1] < 16:
            raise ValueError("frame: at least 16×16 pixels")
        item = _Item(frame_bgr.copy(), ts, to_detections(detections), _check_meta(meta))
        with self._lock:
            replaced = self._slot is not None
            self._slot = item
            if replaced:
                self._dropped += 1
        if not replaced:
            self._loop.call_soon_threadsafe(self._wake.set)

    def wait_connected(self, timeout: Optional[float] = None) -> bool:
        """Wait until the publisher is connected; return False if timeout
        (seconds) passed first. Raises RefusedError once the server
        refused it."""
        with self._lock:
            ok = self._connected_cond.wait_for(lambda: self._connected or self._refused is not None or self._closed,
                                               timeout)
            if self._refused is not None:
                raise self._refused
            return ok and self._connected

    def stats(self) -> Dict[str, Any]:
        """Return the publisher's counters: frames ``sent`` (the own size),
        ``renditions_sent`` (smaller copies), ``dropped`` (replaced in the
        mailbox before the sender took them), ``skipped`` (not sent while
        nobody watched), ``fps`` (sent over the last 2 s), ``connected``,
        ``viewers`` (as the relay last said; None before it did),
        ``last_error`` and ``encode_ms`` (the own size's JPEG, smoothed)."""
        now = time.monotonic()
        with self._lock:
            self._trim(now)
            n = len(self._sent_at)
            fps = (n - 1) / (self._sent_at[-1] - self._sent_at[0]) if n >= 2 and self._sent_at[-1] > self._sent_at[0] else 0.0
            return {"sent": self._sent, "renditions_sent": self._renditions_sent, "dropped": self._dropped,
                    "skipped": self._skipped, "fps": round(fps, 2), "connected": self._connected,
                    "viewers": self._viewers, "last_error": self._last_error,
                    "encode_ms": round(self._encode_ms, 2)}

    def close(self) -> None:
        """Close the link (1001, "producer stopping") and stop the thread.
        A frame still in the mailbox is not sent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._connected_cond.notify_all()
        try:
            self._loop.call_soon_threadsafe(self._stop.set)
        except RuntimeError:
            pass  # the loop has ended already
        self._thread.join(WRITE_WAIT + 2)

    # The sender's side: everything below runs in the publisher's thread.

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            await self._connect_loop(stopping)
        finally:
            stopping.cancel()

    async def _connect_loop(self, stopping: "asyncio.Future[Any]") -> None:
        while not self._stop.is_set():
            try:
                ws = await asyncio.wait_for(connect(
                    self._url, compression=None, max_size=MAX_RELAY_MESSAGE, ping_interval=PING_PERIOD,
                    ping_timeout=PONG_WAIT, close_timeout=2, open_timeout=None), CONNECT_TIMEOUT)
            except websockets.exceptions.InvalidStatusCode as e:
                if not self._refusal(e.status_code):
                    await self._retry(stopping, self._status_words(e.status_code))
                    continue
                return
            except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException) as e:
                await self._retry(stopping, f"connect: {self._words(e)}")
                continue
            self._backoff.reset()
            self._log.info("framecast: connected to %s", self._where)
            self._set_connected(True)
            why = "the session ended"
            try:
                why = await self._session(ws, stopping)
            finally:
                # Why goes with the news: whoever sees connected False sees
                # last_error too.
                self._set_connected(False, "" if self._stop.is_set() else f"link lost: {why}")
            if self._stop.is_set():
                await ws.close(1001, "producer stopping")
                return
            await ws.close()
            await self._retry(stopping, f"link lost: {why}")

    def _refusal(self, status: int) -> bool:
        """Record a refusal at connect; return True when it is for good."""
        if status == 401:
            msg = (f"framecast: {self._where} refused the publish token (HTTP 401): "
                   "give publish_token the relay's --publish-token (or serve's)")
        elif status in (400, 403):
            msg = (f"framecast: {self._where} refused the producer (HTTP {status}): "
                   "check the stream name (letters, digits, _ - .) and, on a relay, a view_token of 16 characters or more")
        else:
            return False
        err = RefusedError(msg, status)
        with self._lock:
            self._refused = err
            self._last_error = str(err)
            self._connected_cond.notify_all()
        self._log.error("%s", msg)
        return True

    def _status_words(self, status: int) -> str:
        if status == 409:
            return "another producer, with another view token, holds this stream (HTTP 409)"
        if status == 429:
            return "too many wrong tokens from this address (HTTP 429)"
        return f"HTTP {status}"

    def _words(self, e: BaseException) -> str:
        return scrub(str(e) or type(e).__name__, self._secrets)

    async def _retry(self, stopping: "asyncio.Future[Any]", why: str) -> None:
        d = self._backoff.next()
        with self._lock:
            self._last_error = why
        self._log.warning("framecast: %s: %s; retrying in %.1f s", self._where, why, d)
        await asyncio.wait({stopping}, timeout=d)

    def _set_connected(self, up: bool, why: str = "") -> None:
        with self._lock:
            self._connected = up
            if not up:
                self._viewers = None
                if why:
                    self._last_error = why
            else:
                self._last_error = ""
            self._connected_cond.notify_all()

    async def _session(self, ws: Any, stopping: "asyncio.Future[Any]") -> str:
        """Send frames on ws until it fails or the publisher stops; return
        why it ended."""
        self._want = set()
        offered: Optional[List[wire.Rendition]] = None
        reader = asyncio.ensure_future(self._read(ws))
        try:
            while True:
                waiter = asyncio.ensure_future(self._wake.wait())
                await asyncio.wait({waiter, reader, stopping}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                if stopping.done():
                    return "stopping"
                if reader.done():
                    return self._words(reader.exception() or ConnectionError("closed"))
                self._wake.clear()
                with self._lock:
                    item, self._slot = self._slot, None
                    idle = self._skip_unwatched and self._viewers == 0
                    if item is not None and idle:
                        self._skipped += 1
                if item is None:
                    continue
                try:
                    # The ladder is offered even while nobody watches, so a
                    # viewer can ask for a smaller rendition from the start.
                    ladder = await self._offer(ws, item, offered)
                    if not idle:
                        await self._send(ws, item, ladder)
                    offered = ladder
                except (ValueError, cv2.error) as e:
                    self._log.warning("framecast: frame not sent: %s", e)
        except (websockets.exceptions.ConnectionClosed, OSError, asyncio.TimeoutError) as e:
            return self._words(e)
        finally:
            reader.cancel()

    async def _offer(self, ws: Any, item: _Item, offered: Optional[List[wire.Rendition]]) -> List[wire.Rendition]:
        """Tell the relay of the ladder for item's size when it is not the
        one offered last (before the first frame, or the size changed);
        return it. One size alone needs no offer on a new link."""
        h, w = item.frame.shape[:2]
        ladder = wire.ladder(w, h, self._quality, wire.DEFAULT_RENDITIONS if self._renditions else ())
        if ladder != offered and (offered is not None or len(ladder) > 1):
            await asyncio.wait_for(ws.send(wire.renditions_offer(ladder if len(ladder) > 1 else None)), WRITE_WAIT)
        return ladder

    async def _send(self, ws: Any, item: _Item, ladder: List[wire.Rendition]) -> None:
        """Encode item at its own size and at the renditions of ladder the
        relay wants, and send them."""
        h, w = item.frame.shape[:2]
        t0 = time.perf_counter()
        ok, jpeg = cv2.imencode(".jpg", item.frame, [cv2.IMWRITE_JPEG_QUALITY, self._quality])
        encode_ms = (time.perf_counter() - t0) * 1000
        if not ok:
            raise ValueError("framecast: JPEG encoding failed")
        self._seq += 1
        header: Dict[str, Any] = {"seq": self._seq, "ts": item.ts, "w": w, "h": h}
        if item.detections:
            header["detections"] = item.detections
        if item.meta:
            header["meta"] = item.meta
        msg = self._message(header, jpeg.tobytes())
        await asyncio.wait_for(ws.send(msg), WRITE_WAIT)
        now = time.monotonic()
        with self._lock:
            self._sent += 1
            self._encode_ms = encode_ms if self._sent == 1 else 0.9 * self._encode_ms + 0.1 * encode_ms
            self._sent_at.append(now)
            self._trim(now)
        for r in ladder[1:]:
            if r.name not in self._want:
                continue
            small = cv2.resize(item.frame, (r.w, r.h), interpolation=cv2.INTER_AREA)
            ok, jpeg = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, r.quality])
            if not ok:
                raise ValueError("framecast: JPEG encoding failed")
            rh = dict(header, w=r.w, h=r.h, rendition=r.name)
            if item.detections:
                rh["detections"] = scale(item.detections, r.w / w, r.h / h)
            await asyncio.wait_for(ws.send(self._message(rh, jpeg.tobytes())), WRITE_WAIT)
            with self._lock:
                self._renditions_sent += 1

    def _message(self, header: Dict[str, Any], jpeg: bytes) -> bytes:
        """Return the frame's message; boxes that would take the header over
        its limit are left out (the last first), and said in the log."""
        try:
            return wire.encode_frame(header, jpeg)
        except ValueError:
            dets = header.get("detections") or []
            lo, hi = 0, len(dets)
            while lo < hi:  # the most boxes that fit
                mid = (lo + hi + 1) // 2
                try:
                    wire.encode_header(dict(header, detections=dets[:mid]))
                    lo = mid
                except ValueError:
                    hi = mid - 1
            self._log.warning("framecast: frame %d: %d of %d boxes fit the header's %d bytes; the rest left out",
                              header["seq"], lo, len(dets), wire.MAX_HEADER_SIZE)
            return wire.encode_frame(dict(header, detections=dets[:lo]), jpeg)

    async def _read(self, ws: Any) -> None:
        """Read the relay's messages until the link ends."""
        async for text in ws:
            if not isinstance(text, str):
                continue
            m = wire.parse_relay_message(text)
            if isinstance(m, wire.ViewerCount):
                with self._lock:
                    was, self._viewers = self._viewers, m.count
                if was == 0 and m.count > 0:
                    self._log.info("framecast: %d watching on %s", m.count, self._where)
            elif isinstance(m, wire.RenditionsWant):
                self._want = set(m.want)
            elif isinstance(m, wire.Refusal):
                with self._lock:
                    self._last_error = m.error
                self._log.warning("framecast: %s refused a message: %s", self._where, m.error)

    def _trim(self, now: float) -> None:
        while self._sent_at and now - self._sent_at[0] > FPS_WINDOW:
            self._sent_at.popleft()


def _check_meta(meta: Optional[Mapping[str, str]]) -> Optional[Dict[str, str]]:
    if not meta:
        return None
    if len(meta) > wire.MAX_META_KEYS:
        raise ValueError(f"meta: at most {wire.MAX_META_KEYS} keys")
    out = {}
    for k, v in meta.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError("meta: string keys and values")
        if not k or len(k.encode()) > wire.MAX_META_KEY or len(v.encode()) > wire.MAX_META_VALUE:
            raise ValueError(f"meta {k[:64]!r}: a key of 1 to {wire.MAX_META_KEY} bytes, a value of at most {wire.MAX_META_VALUE}")
        out[k] = v
    return out
