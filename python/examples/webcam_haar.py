"""Faces from a webcam, found with OpenCV's Haar cascade, sent to Framecast
with their boxes.

    python3 webcam_haar.py --url ws://relay:8188/ingest/cam --token PUBLISH --view VIEW

Viewers open http://relay:8188/s/cam/?token=VIEW (on `framecast serve
--source ingest`, the server's own viewer link; no --view needed).
"""

from __future__ import annotations

import argparse
import logging
import time

import cv2

import framecast


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="the producer URL: ws://HOST:PORT/ingest/<stream>")
    ap.add_argument("--token", required=True, help="the publish token")
    ap.add_argument("--view", help="on a relay: the stream's view token (16 characters or more)")
    ap.add_argument("--camera", type=int, default=0, help="the camera's index (default 0)")
    ap.add_argument("--quality", type=int, default=80, help="JPEG quality (default 80)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    cap = cv2.VideoCapture(args.camera)
    if not cap.isOpened():
        raise SystemExit(f"cannot open camera {args.camera}")
    with framecast.Publisher(args.url, publish_token=args.token, view_token=args.view, quality=args.quality) as pub:
        last = time.monotonic()
        while True:
            ok, frame = cap.read()
            if not ok:
                raise SystemExit("the camera gave no frame")
            grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            faces = cascade.detectMultiScale(grey, scaleFactor=1.2, minNeighbors=5, minSize=(40, 40))
            # Haar faces have no confidence: score 1, as Framecast's own.
            pub.send(frame, detections=[{"label": "face", "score": 1, "box": [int(v) for v in f]} for f in faces])
            if time.monotonic() - last >= 5:
                last = time.monotonic()
                logging.info("%s", pub.stats())


if __name__ == "__main__":
    main()
