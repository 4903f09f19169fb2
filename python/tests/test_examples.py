"""The examples run as their docstrings say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import PUBLISH, VIEW, Program, Viewer, wait_for

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_the_yolo_shaped_example_sends_its_stand_in_models_boxes(relay: Program) -> None:
    viewer = Viewer(f"ws://127.0.0.1:{relay.port}/s/cam/ws?token={VIEW}")
    try:
        run = subprocess.Popen([sys.executable, str(EXAMPLES / "yolo_shaped.py"), "--url",
                                f"ws://127.0.0.1:{relay.port}/ingest/cam", "--token", PUBLISH, "--view", VIEW,
                                "--seconds", "30"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for(lambda: len([h for h in viewer.frames() if h.get("detections")]) >= 10, 20,
                     "frames with the ball's box")
        finally:
            run.terminate()
            run.wait(10)
    finally:
        viewer.close()
    for h in viewer.frames():
        [d] = h["detections"]
        assert d["label"] == "sports ball" and d["score"] == 0.9
        x, y, w, h_ = d["box"]
        assert 115 <= w <= 125 and 115 <= h_ <= 125 and 295 <= y <= 305, d


def test_the_webcam_example_compiles_and_says_how_to_run_it() -> None:
    out = subprocess.run([sys.executable, str(EXAMPLES / "webcam_haar.py"), "--help"], capture_output=True, text=True,
                         check=True)
    assert "--url" in out.stdout and "--token" in out.stdout
