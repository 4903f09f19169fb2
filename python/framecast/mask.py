"""Masking of the frames a client sends, with numpy where websockets has no
compiled speedups.

A WebSocket client XORs every byte it sends with a mask (RFC 6455). Debian's
python3-websockets ships without its C speedups, and its pure Python mask
takes about 14 ms a megabyte holding the GIL: a 720p JPEG would cost the
sender 2-3 ms, and the caller's send() would wait on the GIL behind it.
numpy does the same XOR in about 0.1 ms a megabyte, releasing the GIL."""

from __future__ import annotations

import numpy as np


def apply_mask(data: bytes, mask: bytes) -> bytes:
    """Return data XORed with the 4-byte mask repeated, as
    websockets.utils.apply_mask does."""
    if len(mask) != 4:
        raise ValueError("mask must contain 4 bytes")
    n = len(data)
    a = np.frombuffer(data, np.uint8)
    out = np.empty(n, np.uint8)
    whole = n // 8 * 8
    np.bitwise_xor(a[:whole].view(np.uint64), np.frombuffer(mask * 2, np.uint64), out=out[:whole].view(np.uint64))
    out[whole:] = a[whole:] ^ np.frombuffer((mask * 2)[: n - whole], np.uint8)
    return out.tobytes()


def use_fast_mask() -> bool:
    """Make websockets' client mask with numpy when it has no speedups;
    return whether it now does. The bytes are the same either way."""
    try:
        import websockets.speedups  # noqa: F401
        return False
    except ImportError:
        pass
    import websockets.frames as frames
    import websockets.legacy.framing as framing

    # Frames sent are masked in websockets.frames (Frame.serialize), frames
    # read unmasked in the legacy framing: each looks the name up in its
    # own module.
    setattr(frames, "apply_mask", apply_mask)
    setattr(framing, "apply_mask", apply_mask)
    return True
