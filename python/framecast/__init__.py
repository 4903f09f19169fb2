"""Framecast's Python client: send a vision pipeline's frames and boxes to a
Framecast relay or server, where browsers watch them live.

    import framecast
    pub = framecast.Publisher("ws://relay:8188/ingest/cam", publish_token=P, view_token=V)
    pub.send(frame, detections=results)
"""

from .detections import MAX_DETECTIONS, MAX_LABEL, Detection, to_detections
from .publisher import Publisher, RefusedError

__all__ = ["Publisher", "RefusedError", "Detection", "to_detections", "MAX_DETECTIONS", "MAX_LABEL"]
__version__ = "0.1.0"
