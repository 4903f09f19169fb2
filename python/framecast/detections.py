"""Detections as Framecast's frame header carries them, from plain dicts or
from the objects common Python detectors return (duck-typed: neither
supervision nor ultralytics is imported)."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np
from numpy.typing import NDArray

#: A label's limit in characters; a longer one is cut.
MAX_LABEL = 64
#: The boxes one frame carries at most; more are left out.
MAX_DETECTIONS = 1000
# A box's numbers are kept within a 32-bit int, far outside any picture.
_BOX_LIMIT = 2**31 - 1

Detection = Dict[str, Any]
"""One detection: ``{"label": str, "score": float, "box": [x, y, w, h]}``,
the box in pixels of the frame sent (ints)."""


def to_detections(obj: Any, names: Optional[Mapping[int, str]] = None) -> List[Detection]:
    """Return obj's boxes as Framecast detections.

    obj may be None, a sequence of dicts ``{"label","score","box":[x,y,w,h]}``,
    a ``supervision.Detections`` (``xyxy``, ``confidence``, ``class_id``, and
    ``data["class_name"]``), an ultralytics ``Results`` (``.boxes.xyxy``,
    ``.boxes.conf``, ``.boxes.cls``, ``.names``) or a list of those (what
    ``model(frame)`` returns). names maps class ids to labels where obj
    carries none. At most MAX_DETECTIONS are kept, labels are cut to
    MAX_LABEL characters, and a box or score that is not a finite number is
    refused with ValueError.
    """
    if obj is None:
        return []
    if hasattr(obj, "boxes") and hasattr(getattr(obj, "boxes"), "xyxy"):
        return _from_ultralytics(obj, names)
    if hasattr(obj, "xyxy") and hasattr(obj, "class_id"):
        return _from_supervision(obj, names)
    if isinstance(obj, Mapping):
        raise TypeError("detections: a list of dicts, not one dict")
    if isinstance(obj, Sequence) and not isinstance(obj, (str, bytes)):
        if obj and all(hasattr(r, "boxes") for r in obj):
            out: List[Detection] = []
            for r in obj:
                out.extend(_from_ultralytics(r, names))
            return out[:MAX_DETECTIONS]
        return [_from_dict(d, i) for i, d in enumerate(obj[:MAX_DETECTIONS])]
    raise TypeError(
        f"detections: {type(obj).__name__} is none of: a list of dicts, "
        "supervision.Detections, ultralytics Results")


def _array(x: Any) -> NDArray[Any]:
    """Return a tensor or array-like as a numpy array (a torch tensor on
    any device included)."""
    if hasattr(x, "detach"):
        x = x.detach()
    if hasattr(x, "cpu"):
        x = x.cpu()
    if hasattr(x, "numpy"):
        x = x.numpy()
    return np.asarray(x)


def _from_supervision(d: Any, names: Optional[Mapping[int, str]]) -> List[Detection]:
    xyxy = _array(d.xyxy).reshape(-1, 4)[:MAX_DETECTIONS]
    n = len(xyxy)
    conf = getattr(d, "confidence", None)
    scores = _array(conf).reshape(-1) if conf is not None else np.ones(n)
    cid = getattr(d, "class_id", None)
    ids = _array(cid).reshape(-1) if cid is not None else None
    data = getattr(d, "data", None) or {}
    class_names = data.get("class_name") if isinstance(data, Mapping) else None
    out = []
    for i in range(n):
        if class_names is not None and i < len(class_names):
            label = str(class_names[i])
        else:
            label = _label(ids[i] if ids is not None and i < len(ids) else None, names)
        out.append(_make(label, scores[i] if i < len(scores) else 1.0, _xywh(xyxy[i])))
    return out


def _from_ultralytics(r: Any, names: Optional[Mapping[int, str]]) -> List[Detection]:
    boxes = r.boxes
    if boxes is None:
        return []
    xyxy = _array(boxes.xyxy).reshape(-1, 4)[:MAX_DETECTIONS]
    n = len(xyxy)
    conf = getattr(boxes, "conf", None)
    scores = _array(conf).reshape(-1) if conf is not None else np.ones(n)
    cls = getattr(boxes, "cls", None)
    ids = _array(cls).reshape(-1) if cls is not None else None
    if names is None:
        names = getattr(r, "names", None)
    return [_make(_label(ids[i] if ids is not None and i < len(ids) else None, names),
                  scores[i] if i < len(scores) else 1.0, _xywh(xyxy[i])) for i in range(n)]


def _label(class_id: Any, names: Optional[Mapping[int, str]]) -> str:
    if class_id is None:
        return "object"
    k = int(class_id)
    if names is not None:
        got = names.get(k) if isinstance(names, Mapping) else (names[k] if 0 <= k < len(names) else None)
        if got is not None:
            return str(got)
    return str(k)


def _xywh(xyxy: Sequence[Any]) -> List[float]:
    x1, y1, x2, y2 = (float(v) for v in xyxy)
    return [x1, y1, x2 - x1, y2 - y1]


def _from_dict(d: Any, i: int) -> Detection:
    if not isinstance(d, Mapping):
        raise TypeError(f"detections[{i}]: a dict {{'label','score','box':[x,y,w,h]}}, not {type(d).__name__}")
    box = d.get("box")
    if box is None or len(box) != 4:
        raise ValueError(f"detections[{i}]: box must be [x, y, w, h]")
    return _make(d.get("label", "object"), d.get("score", 1.0), box)


def _make(label: Any, score: Any, box: Sequence[Any]) -> Detection:
    s = float(score)
    if not math.isfinite(s):
        raise ValueError(f"detection {str(label)[:MAX_LABEL]!r}: score {s} is not a finite number")
    b = []
    for v in box:
        f = float(v)
        if not math.isfinite(f):
            raise ValueError(f"detection {str(label)[:MAX_LABEL]!r}: box {list(box)} is not finite numbers")
        b.append(max(-_BOX_LIMIT, min(_BOX_LIMIT, int(round(f)))))
    b[2], b[3] = max(0, b[2]), max(0, b[3])
    # Four decimals are all a score needs; a float32's 0.9 is 0.8999999761… otherwise.
    return {"label": str(label)[:MAX_LABEL], "score": round(s, 4), "box": b}


def scale(dets: Sequence[Detection], sx: float, sy: float) -> List[Detection]:
    """Return dets with their boxes scaled to a smaller rendition."""
    return [{"label": d["label"], "score": d["score"],
             "box": [int(round(d["box"][0] * sx)), int(round(d["box"][1] * sy)),
                     int(round(d["box"][2] * sx)), int(round(d["box"][3] * sy))]} for d in dets]
