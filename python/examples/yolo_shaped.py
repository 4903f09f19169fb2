"""Any detector's boxes sent to Framecast with the frames: an ultralytics
YOLO model when it is installed, else a stand-in that returns results of
the same shape (``.boxes.xyxy/.conf/.cls`` and ``.names``), so the example
runs anywhere. A supervision.Detections goes to send() the same way.

    python3 yolo_shaped.py --url ws://relay:8188/ingest/cam --token PUBLISH --view VIEW [--video FILE]

Without --video the frames are drawn here: a ball that moves.
"""

from __future__ import annotations

import argparse
import logging
import math
import time
from typing import Any, Dict, List

import cv2
import numpy as np

import framecast


class StandInBoxes:
    """What ultralytics' Results.boxes gives, as numpy arrays."""

    def __init__(self, xyxy: List[List[float]], conf: List[float], cls: List[int]) -> None:
        self.xyxy = np.array(xyxy, dtype=np.float32).reshape(-1, 4)
        self.conf = np.array(conf, dtype=np.float32)
        self.cls = np.array(cls, dtype=np.float32)


class StandInResults:
    """One image's results, as ultralytics' Results."""

    def __init__(self, boxes: StandInBoxes, names: Dict[int, str]) -> None:
        self.boxes = boxes
        self.names = names


class StandInModel:
    """Finds the brightest blob, as a model would find a ball."""

    names = {0: "person", 32: "sports ball"}

    def __call__(self, frame: np.ndarray) -> List[StandInResults]:
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        _, mask = cv2.threshold(grey, 200, 255, cv2.THRESH_BINARY)
        xyxy, conf, cls = [], [], []
        for c in cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]:
            x, y, w, h = cv2.boundingRect(c)
            if w * h >= 100:
                xyxy.append([x, y, x + w, y + h])
                conf.append(0.9)
                cls.append(32)
        return [StandInResults(StandInBoxes(xyxy, conf, cls), self.names)]


def load_model(weights: str) -> Any:
    try:
        from ultralytics import YOLO  # type: ignore[import-not-found]
    except ImportError:
        logging.info("ultralytics is not installed: using the stand-in model")
        return StandInModel()
    return YOLO(weights)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="the producer URL: ws://HOST:PORT/ingest/<stream>")
    ap.add_argument("--token", required=True, help="the publish token")
    ap.add_argument("--view", help="on a relay: the stream's view token (16 characters or more)")
    ap.add_argument("--video", help="a video file or camera index to read (default: frames drawn here)")
    ap.add_argument("--weights", default="yolov8n.pt", help="the YOLO weights, when ultralytics is installed")
    ap.add_argument("--seconds", type=float, default=0, help="stop after this long (default: never)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    model = load_model(args.weights)
    cap = None
    if args.video is not None:
        cap = cv2.VideoCapture(int(args.video) if args.video.isdigit() else args.video)
    start = time.monotonic()
    n = 0
    with framecast.Publisher(args.url, publish_token=args.token, view_token=args.view) as pub:
        while not args.seconds or time.monotonic() - start < args.seconds:
            if cap is not None:
                ok, frame = cap.read()
                if not ok:
                    break
            else:
                frame = np.full((720, 1280, 3), 40, np.uint8)
                x = int(640 + 500 * math.sin(n / 30))
                cv2.circle(frame, (x, 360), 60, (255, 255, 255), -1)
                time.sleep(1 / 30)
            pub.send(frame, detections=model(frame))  # a list of Results, as model(frame) returns
            n += 1
            if n % 150 == 0:
                logging.info("%s", pub.stats())


if __name__ == "__main__":
    main()
