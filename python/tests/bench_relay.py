"""Bench: a Publisher at 720p30 through the real relay (or serve --source
ingest) to one viewer (in a process of its own), beside a second viewer
that reads slowly (a frame every 300 ms). Prints send()'s p50/p99, the
first viewer's fps and how many of its frames carried the boxes, and this
process's CPU per frame sent.

    FRAMECAST_BIN=build/bin/framecast python3 python/tests/bench_relay.py [SECONDS] [relay|serve]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np

import framecast
from conftest import PUBLISH, VIEW, Program, free_port


def view(url: str, seconds: float, pause: float = 0.0) -> None:
    """The viewer's process: read and ack frames for seconds after the
    first (pausing after each, for a slow viewer), then print what it saw
    as JSON."""
    import asyncio

    import websockets

    from framecast.wire import decode_frame

    async def run() -> None:
        async with websockets.connect(url, max_size=16 << 20, compression=None) as ws:
            n = boxed = 0
            start = None
            while start is None or time.monotonic() - start < seconds:
                msg = await ws.recv()
                if not isinstance(msg, bytes):
                    continue
                h, _ = decode_frame(msg)
                await ws.send(json.dumps({"type": "ack", "seq": h["seq"]}))
                if start is None:
                    start = time.monotonic()
                    continue
                n += 1
                boxed += bool(h.get("detections"))
                if pause:
                    await asyncio.sleep(pause)
            print(json.dumps({"fps": n / seconds, "frames": n, "boxed": boxed}))

    asyncio.run(run())


def scene(n: int) -> np.ndarray:
    """A 720p picture that compresses about like a camera's (~100 KB)."""
    rng = np.random.default_rng(n % 8)
    img = np.zeros((720, 1280, 3), np.uint8)
    img[:] = np.linspace(30, 220, 1280, dtype=np.uint8)[None, :, None]
    img += rng.integers(0, 24, (720, 1280, 3), dtype=np.uint8)
    x = (n * 9) % 1100
    img[300:420, x : x + 120] = (40, 200, 240)
    return img


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--viewer":
        view(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) > 4 else 0.0)
        return
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    kind = sys.argv[2] if len(sys.argv) > 2 else "relay"
    port = free_port()
    if kind == "serve":
        relay = Program(["serve", "--source", "ingest", "--publish-token", PUBLISH, "--token", VIEW, "--name", "cam",
                         "--addr", f"127.0.0.1:{port}"], port)
    else:
        relay = Program(["relay", "--addr", f"127.0.0.1:{port}", "--publish-token", PUBLISH], port)
    frames = [scene(i) for i in range(8)]
    try:
        with framecast.Publisher(f"ws://127.0.0.1:{port}/ingest/cam", publish_token=PUBLISH, view_token=VIEW) as pub:
            pub.wait_connected(10)
            viewer = subprocess.Popen([sys.executable, __file__, "--viewer",
                                       f"ws://127.0.0.1:{port}/s/cam/ws?token={VIEW}", str(seconds)],
                                      stdout=subprocess.PIPE, text=True)
            slow = subprocess.Popen([sys.executable, __file__, "--viewer",
                                     f"ws://127.0.0.1:{port}/s/cam/ws?token={VIEW}", str(seconds), "0.3"],
                                    stdout=subprocess.DEVNULL)
            took, own = [], []
            n = 0
            cpu0, sent0 = time.process_time(), pub.stats()["sent"]
            next_at = time.monotonic()
            while viewer.poll() is None:
                x = (n * 9) % 1100
                t0, c0 = time.perf_counter(), time.thread_time()
                pub.send(frames[n % 8], detections=[{"label": "box", "score": 0.9, "box": [x, 300, 120, 120]}])
                took.append(time.perf_counter() - t0)
                own.append(time.thread_time() - c0)
                n += 1
                next_at += 1 / 30
                time.sleep(max(0.0, next_at - time.monotonic()))
            cpu, st = time.process_time() - cpu0, pub.stats()
            slow.kill()
            seen = json.loads(viewer.stdout.read() if viewer.stdout else "{}")
    finally:
        relay.stop()
    print("the slowest send() calls, ms:", sorted(round(x * 1000, 2) for x in took)[-5:])
    p50, p99 = np.percentile(np.array(took) * 1000, [50, 99])
    own99 = np.percentile(np.array(own) * 1000, 99)
    sent = st["sent"] - sent0
    print(f"720p30 through {kind}, {seconds:.0f} s: send() p50 {p50:.2f} ms p99 {p99:.2f} ms (own CPU p99 {own99:.2f} ms) over {n} calls; "
          f"sent {sent}, dropped {st['dropped']}, encode {st['encode_ms']:.1f} ms; viewer {seen['fps']:.1f} fps, "
          f"boxes in {seen['boxed']} of {seen['frames']} frames; Python CPU {cpu / max(1, sent) * 1000:.1f} ms a frame")


if __name__ == "__main__":
    main()
