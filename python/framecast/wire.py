"""Framecast's wire format, as backend/protocol defines it: the binary frame
message (a 4-byte big-endian header length, the JSON header, the JPEG) and
the JSON control messages of the ingest WebSocket."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

#: A frame header's limit in bytes (protocol.MaxHeaderSize): the relay
#: refuses a frame with a bigger one.
MAX_HEADER_SIZE = 64 << 10

#: Metadata bounds (protocol.MaxMetaKeys, MaxMetaKey, MaxMetaValue).
MAX_META_KEYS = 32
MAX_META_KEY = 64
MAX_META_VALUE = 4096

#: Smaller renditions at most below the stream's own size
#: (protocol.MaxRenditions).
MAX_RENDITIONS = 6


@dataclass(frozen=True)
class Rendition:
    """Rendition is one size and quality of a stream; the first of a ladder
    is the stream's own size, the others smaller copies of its frames."""

    name: str
    w: int
    h: int
    quality: int

    def as_json(self) -> Dict[str, Any]:
        """Return the rendition as an offer lists it."""
        return {"name": self.name, "w": self.w, "h": self.h, "quality": self.quality}


def rendition_name(h: int) -> str:
    """Name a rendition of height h, as protocol.RenditionName does."""
    return f"{h}p"


#: The smaller copies Framecast offers below a stream's own size
#: (protocol.DefaultRenditions).
DEFAULT_RENDITIONS = (
    Rendition("360p", 640, 360, 70),
    Rendition("240p", 426, 240, 60),
    Rendition("180p", 320, 180, 50),
)


def ladder(w: int, h: int, quality: int, lower: Sequence[Rendition] = DEFAULT_RENDITIONS) -> List[Rendition]:
    """Return a stream's renditions: its own size at quality, then those of
    lower smaller than it (protocol.Ladder)."""
    out = [Rendition(rendition_name(h), w, h, quality)]
    out.extend(r for r in lower if r.w < w and r.h < h)
    return out[: MAX_RENDITIONS + 1]


def encode_header(header: Mapping[str, Any]) -> bytes:
    """Return a frame's header as its message carries it. Raise ValueError
    when it is over MAX_HEADER_SIZE."""
    b = json.dumps(header, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    if len(b) > MAX_HEADER_SIZE:
        raise ValueError(f"frame header too big: {len(b)} bytes, over the limit of {MAX_HEADER_SIZE}")
    return b


def encode_frame(header: Mapping[str, Any], jpeg: bytes) -> bytes:
    """Return one binary frame message: the header's length (4 bytes, big
    endian), the header JSON, then the JPEG."""
    h = encode_header(header)
    return struct.pack(">I", len(h)) + h + jpeg


def decode_frame(msg: bytes) -> "tuple[Dict[str, Any], bytes]":
    """Split a binary frame message into its header and picture."""
    if len(msg) < 4:
        raise ValueError("frame message too short")
    (n,) = struct.unpack(">I", msg[:4])
    if n > MAX_HEADER_SIZE or len(msg) - 4 < n:
        raise ValueError(f"frame header length {n} does not fit the message")
    return json.loads(msg[4 : 4 + n]), msg[4 + n :]


def renditions_offer(renditions: Optional[Sequence[Rendition]]) -> str:
    """Return the RenditionsOffer for a ladder; an empty one (no
    ``renditions``) says the producer has one size now."""
    m: Dict[str, Any] = {"type": "renditions"}
    if renditions:
        m["renditions"] = [r.as_json() for r in renditions]
    return json.dumps(m, separators=(",", ":"))


@dataclass(frozen=True)
class ViewerCount:
    """ViewerCount: how many watch the stream on the relay."""

    count: int


@dataclass(frozen=True)
class RenditionsWant:
    """RenditionsWant: the smaller renditions the relay's viewers take."""

    want: List[str]


@dataclass(frozen=True)
class Refusal:
    """Refusal: why the relay refused a message (the link stays)."""

    error: str


RelayMessage = Union[ViewerCount, RenditionsWant, Refusal]


def parse_relay_message(text: str) -> Optional[RelayMessage]:
    """Read a control message a relay sent; None for a type this client does
    not take (keyframe requests, audit records, a later relay's types) or a
    broken one, which a producer skips."""
    try:
        m = json.loads(text)
    except ValueError:
        return None
    if not isinstance(m, dict):
        return None
    kind = m.get("type")
    if kind == "viewers" and isinstance(m.get("count"), int):
        return ViewerCount(m["count"])
    if kind == "renditions" and isinstance(m.get("want"), list):
        return RenditionsWant([w for w in m["want"] if isinstance(w, str)])
    if kind == "error" and isinstance(m.get("error"), str):
        return Refusal(m["error"])
    return None
