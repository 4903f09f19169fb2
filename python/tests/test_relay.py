"""The publisher against the real relay (framecast relay)."""

from __future__ import annotations

import logging
import threading
import time

import cv2
import numpy as np
import pytest

import framecast
from conftest import PUBLISH, VIEW, Program, Viewer, picture, wait_for


def ingest(relay: Program, name: str = "cam") -> str:
    return f"ws://127.0.0.1:{relay.port}/ingest/{name}"


def watch(relay: Program, name: str = "cam", query: str = "") -> Viewer:
    return Viewer(f"ws://127.0.0.1:{relay.port}/s/{name}/ws?token={VIEW}{query}")


def pump(pub: framecast.Publisher, stop: threading.Event, boxes: bool = True) -> threading.Thread:
    """Send 720p frames at about 30 fps until stop, each with a box whose x
    is its number and the number in meta."""
    def run() -> None:
        n = 0
        while not stop.is_set():
            dets = [{"label": "face", "score": 0.5, "box": [n % 1000, 20, 64, 48]}] if boxes else None
            try:
                pub.send(picture(n=n), detections=dets, meta={"n": str(n)})
            except framecast.RefusedError:
                return
            n += 1
            stop.wait(1 / 30)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_frames_with_boxes_reach_a_viewer_of_the_relay(relay: Program) -> None:
    stop = threading.Event()
    viewer = watch(relay)
    with framecast.Publisher(ingest(relay), publish_token=PUBLISH, view_token=VIEW) as pub:
        assert pub.wait_connected(10)
        t = pump(pub, stop)
        try:
            wait_for(lambda: len(viewer.frames()) >= 30, 20, "30 frames at the viewer")
        finally:
            stop.set()
            t.join()
        frames = viewer.frames()
        # A frame may reach the viewer before its send returns here.
        st = wait_for(lambda: (lambda s: s if s["sent"] >= len(frames) else None)(pub.stats()), 5, "the count")
        viewer.close()
    for h in frames:
        n = int(h["meta"]["n"])
        assert h["detections"] == [{"label": "face", "score": 0.5, "box": [n % 1000, 20, 64, 48]}], h
        assert (h["w"], h["h"]) == (1280, 720)
        assert abs(h["ts"] - time.time() * 1e6) < 60e6
    seqs = [h["seq"] for h in frames]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    img = cv2.imdecode(np.frombuffer(viewer.last_jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape == (720, 1280, 3)
    assert st["connected"] and st["viewers"] == 1 and len(frames) >= 30, st
    assert st["encode_ms"] > 0


def test_reconnects_after_the_relay_is_killed_and_restarted(relay: Program) -> None:
    stop = threading.Event()
    viewer = watch(relay)
    with framecast.Publisher(ingest(relay), publish_token=PUBLISH, view_token=VIEW, backoff=(0.1, 0.5)) as pub:
        assert pub.wait_connected(10)
        t = pump(pub, stop)
        try:
            wait_for(lambda: len(viewer.frames()) >= 5, 20, "frames before the restart")
            relay.kill()
            wait_for(lambda: not pub.stats()["connected"], 10, "the publisher to see the relay gone")
            assert pub.stats()["last_error"]
            before = len(viewer.frames())
            relay.start()
            assert pub.wait_connected(10)
            wait_for(lambda: len(viewer.frames()) >= before + 10, 20, "frames after the restart")
        finally:
            stop.set()
            t.join()
    viewer.close()


def test_a_wrong_publish_token_is_refused_with_a_clear_error(relay: Program, caplog: pytest.LogCaptureFixture) -> None:
    wrong = "not-the-publish-token-42"
    caplog.set_level(logging.DEBUG, logger="framecast")
    with framecast.Publisher(ingest(relay), publish_token=wrong, view_token=VIEW) as pub:
        with pytest.raises(framecast.RefusedError) as e:
            pub.wait_connected(10)
        assert e.value.status == 401
        assert "publish token" in str(e.value) and "401" in str(e.value)
        with pytest.raises(framecast.RefusedError):
            pub.send(picture())
        assert "401" in pub.stats()["last_error"]
    assert caplog.records, "the refusal is logged"
    for r in caplog.records:
        assert wrong not in r.getMessage() and VIEW not in r.getMessage()


def test_a_second_producer_with_another_view_token_waits_with_409(relay: Program, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="framecast")
    with framecast.Publisher(ingest(relay), publish_token=PUBLISH, view_token=VIEW) as first:
        assert first.wait_connected(10)
        with framecast.Publisher(ingest(relay), publish_token=PUBLISH, view_token="another-view-token-xyz",
                                 backoff=(0.1, 0.2)) as second:
            wait_for(lambda: "409" in second.stats()["last_error"], 10, "the 409")
            assert not second.stats()["connected"]
            first.close()
            assert second.wait_connected(10), "the second takes the stream once the first has gone"
    assert any("409" in r.getMessage() and "retrying" in r.getMessage() for r in caplog.records)


def test_a_viewer_of_a_smaller_rendition_gets_it_with_boxes_scaled(relay: Program) -> None:
    stop = threading.Event()
    viewer = watch(relay, query="&rendition=360p")
    with framecast.Publisher(ingest(relay), publish_token=PUBLISH, view_token=VIEW) as pub:
        assert pub.wait_connected(10)
        t = pump(pub, stop)
        try:
            wait_for(lambda: len([h for h in viewer.frames() if h.get("rendition") == "360p"]) >= 10, 20,
                     "360p frames")
        finally:
            stop.set()
            t.join()
        assert pub.stats()["renditions_sent"] >= 10
    viewer.close()
    for h in [h for h in viewer.frames() if h.get("rendition") == "360p"]:
        n = int(h["meta"]["n"])
        assert (h["w"], h["h"]) == (640, 360)
        assert h["detections"] == [{"label": "face", "score": 0.5, "box": [round((n % 1000) / 2), 10, 32, 24]}]
    img = cv2.imdecode(np.frombuffer(viewer.last_jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape == (360, 640, 3)
