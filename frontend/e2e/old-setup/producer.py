#!/usr/bin/python3
# The old producer, as it was written for the Node.js ws relay: make a
# picture, JPEG it, base64 it, send "img=sq=data:image/jpeg;base64,..." and
# then "a1=sq=<json boxes>" for that picture. It never reads the socket.
# No camera here: the picture is drawn (a moving box and a frame counter).
# Run with Debian's python: /usr/bin/python3 producer.py [ws://host:8188/]
import asyncio
import base64
import json
import sys

import cv2
import numpy as np
import websockets

URL = sys.argv[1] if len(sys.argv) > 1 else "ws://127.0.0.1:8188/"
W, H = 640, 360


def make_frame(n):
    frame = np.zeros((H, W, 3), np.uint8)
    frame[:] = (120, 60, 20)  # BGR: dark blue
    x = (n * 8) % (W - 120)
    y = 80 + (n * 3) % (H - 200)
    w, h = 120, 100
    cv2.rectangle(frame, (x, y), (x + w, y + h), (0, 200, 255), -1)
    cv2.putText(frame, "frame %d" % n, (20, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (255, 255, 255), 2)
    return frame, [[x, y, w, h]]


async def main():
    async with websockets.connect(URL, max_size=None) as ws:
        print("connected to", URL, flush=True)
        n = 0
        while True:
            frame, boxes = make_frame(n)
            ok, jpg = cv2.imencode(".jpg", frame)
            if ok:
                b64 = base64.b64encode(jpg.tobytes()).decode("ascii")
                await ws.send("img=sq=data:image/jpeg;base64," + b64)
                await ws.send("a1=sq=" + json.dumps(boxes))
            n += 1
            await asyncio.sleep(1 / 18)


asyncio.run(main())
