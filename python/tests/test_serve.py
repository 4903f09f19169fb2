"""The publisher against a Framecast server whose stream's source is ingest
(framecast serve --source ingest)."""

from __future__ import annotations

import subprocess
import threading

import pytest

import framecast
from conftest import PUBLISH, VIEW, Program, Viewer, binary, free_port, picture, wait_for


@pytest.fixture
def serve() -> Program:
    # A short token is refused at once, by a serve that knows the source;
    # one that does not takes "ingest" for a file's name.
    probe = subprocess.run([binary(), "serve", "--source", "ingest", "--publish-token", "x", "--addr", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=30)
    if "ingest does not exist" in probe.stdout + probe.stderr:
        pytest.skip("this framecast's serve has no ingest source")
    port = free_port()
    p = Program(["serve", "--source", "ingest", "--publish-token", PUBLISH, "--token", VIEW, "--name", "cam",
                 "--addr", f"127.0.0.1:{port}"], port)
    yield p
    p.stop()


def test_frames_and_boxes_reach_a_viewer_of_serve(serve: Program) -> None:
    viewer = Viewer(f"ws://127.0.0.1:{serve.port}/s/cam/ws?token={VIEW}")
    stop = threading.Event()
    with framecast.Publisher(f"ws://127.0.0.1:{serve.port}/ingest/cam", publish_token=PUBLISH) as pub:
        assert pub.wait_connected(10)

        def run() -> None:
            n = 0
            while not stop.is_set():
                pub.send(picture(n=n), detections=[{"label": "face", "score": 0.5, "box": [n % 1000, 20, 64, 48]}],
                         meta={"n": str(n)})
                n += 1
                stop.wait(1 / 30)
        t = threading.Thread(target=run, daemon=True)
        t.start()
        try:
            wait_for(lambda: len([h for h in viewer.frames() if h.get("detections")]) >= 20, 30,
                     "20 frames with the producer's boxes at serve's viewer")
        finally:
            stop.set()
            t.join()
    viewer.close()
    mine = [h for h in viewer.frames() if h.get("meta", {}).get("n")]
    assert len(mine) >= 20, "the producer's meta passes through"
    for h in mine:
        n = int(h["meta"]["n"])
        assert {"label": "face", "score": 0.5, "box": [n % 1000, 20, 64, 48]} in h["detections"], h
        assert (h["w"], h["h"]) == (1280, 720)


def test_a_wrong_publish_token_is_refused_by_serve(serve: Program) -> None:
    with framecast.Publisher(f"ws://127.0.0.1:{serve.port}/ingest/cam", publish_token="wrong-publish-token-0") as pub:
        with pytest.raises(framecast.RefusedError, match="publish token"):
            pub.wait_connected(10)
