"""send() under a relay that reads slowly: it never blocks the caller, and
the newest frame wins."""

from __future__ import annotations

import time

import numpy as np

import framecast
from conftest import wait_for
from fakerelay import FakeRelay

# A 720p picture that compresses badly, so a few frames fill the link.
_NOISE = np.random.default_rng(27).integers(0, 256, (720, 1280, 3), dtype=np.uint8)


def test_send_stays_quick_and_the_newest_frame_wins_while_the_relay_reads_nothing() -> None:
    relay = FakeRelay()
    try:
        with framecast.Publisher(relay.url, publish_token="p" * 16) as pub:
            assert pub.wait_connected(10)
            relay.pause(True)
            took, cpu = [], []
            n = 0
            blocked_at = None
            end = time.monotonic() + 30
            next_at = time.monotonic()
            # 720p at 30 fps, until the sender has been stuck for 90 frames.
            while time.monotonic() < end:
                frame = _NOISE.copy()
                frame[:40, : 10 + n % 1000] = 0
                t0, c0 = time.perf_counter(), time.thread_time()
                pub.send(frame, detections=[{"label": "n", "score": 1, "box": [n, 0, 1, 1]}], meta={"n": str(n)})
                took.append(time.perf_counter() - t0)
                cpu.append(time.thread_time() - c0)
                n += 1
                if blocked_at is None and pub.stats()["dropped"] >= 30:
                    blocked_at = n
                if blocked_at is not None and n - blocked_at >= 90:
                    break
                next_at += 1 / 30
                time.sleep(max(0.0, next_at - time.monotonic()))
            assert blocked_at is not None, f"the sender never blocked: {pub.stats()}"
            st = pub.stats()
            assert st["sent"] + st["dropped"] + 2 >= n and st["dropped"] >= 90, st
            p50, p99 = np.percentile(np.array(took[-120:]) * 1000, [50, 99])
            cpu99 = np.percentile(np.array(cpu[-120:]) * 1000, 99)
            print(f"send() at 720p30 while the sender is blocked: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
                  f"(its own CPU p99 {cpu99:.2f} ms) over {min(120, len(took))} sends; "
                  f"sent {st['sent']}, dropped {st['dropped']}")
            # The wall clock's p99 is the target on a quiet machine (make
            # test-python prints it); on a loaded one the scheduler alone
            # stretches a few calls, so what send() itself costs is held to
            # it, and the typical call's wall time too.
            assert p50 <= 5 and cpu99 <= 5, f"send() p50 {p50:.2f} ms, its CPU p99 {cpu99:.2f} ms"
            relay.pause(False)
            last = str(n - 1)
            wait_for(lambda: any(h["meta"]["n"] == last for h in relay.headers()), 20, "the newest frame")
            got = [int(h["meta"]["n"]) for h in relay.headers()]
            assert got == sorted(got), "frames in order"
            assert len(got) < n - 90, "frames were dropped, not queued"
            for h in relay.headers():
                assert h["detections"][0]["box"][0] == int(h["meta"]["n"]), "each frame with its own boxes"
    finally:
        relay.close()


def test_frames_are_not_sent_while_nobody_watches() -> None:
    relay = FakeRelay(viewers=0)
    try:
        with framecast.Publisher(relay.url, publish_token="p" * 16) as pub:
            assert pub.wait_connected(10)
            # Until the relay says how many watch, frames go as if somebody did.
            wait_for(lambda: pub.stats()["viewers"] == 0, 10, "the count")
            for i in range(10):
                pub.send(_NOISE[:360, :640].copy())
                time.sleep(0.03)
            wait_for(lambda: pub.stats()["skipped"] >= 5, 10, "frames skipped")
            assert pub.stats()["sent"] == 0 and relay.headers() == []
            relay.say({"count": 2, "type": "viewers"})
            wait_for(lambda: pub.stats()["viewers"] == 2, 10, "the count")
            pub.send(_NOISE[:360, :640].copy())
            wait_for(lambda: len(relay.headers()) == 1, 10, "the frame once somebody watches")
    finally:
        relay.close()
