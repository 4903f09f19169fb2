"""The producer URL and the bytes on the wire."""

from __future__ import annotations

import struct

import pytest

from framecast.urls import ingest_url, redact, scrub
from framecast.wire import (RenditionsWant, ViewerCount, Refusal, decode_frame, encode_frame, ladder,
                            parse_relay_message, renditions_offer)


def test_the_tokens_go_in_the_query_and_other_parameters_stay() -> None:
    url = ingest_url("ws://relay:8188/ingest/cam?x=1&token=old", "P" * 16, "V" * 16)
    assert url == "ws://relay:8188/ingest/cam?x=1&token=" + "P" * 16 + "&view=" + "V" * 16
    assert ingest_url("http://h/ingest/cam?view=" + "W" * 16, "P" * 16) == \
        "ws://h/ingest/cam?view=" + "W" * 16 + "&token=" + "P" * 16
    assert redact(url) == "ws://relay:8188/ingest/cam?…"
    assert scrub("GET " + url, ["P" * 16, "V" * 16]).count("…") == 2


@pytest.mark.parametrize("url", ["ftp://h/ingest/cam", "ws://h/s/cam/ws", "ws://h/ingest/"])
def test_urls_that_are_no_ingest_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        ingest_url(url, "P" * 16)


def test_a_frame_is_its_header_length_header_and_picture() -> None:
    msg = encode_frame({"seq": 1, "ts": 2, "w": 3, "h": 4}, b"\xff\xd8\xff")
    header = b'{"seq":1,"ts":2,"w":3,"h":4}'
    assert msg == struct.pack(">I", len(header)) + header + b"\xff\xd8\xff"
    assert decode_frame(msg) == ({"seq": 1, "ts": 2, "w": 3, "h": 4}, b"\xff\xd8\xff")
    with pytest.raises(ValueError, match="too big"):
        encode_frame({"meta": {"k": "v" * (64 << 10)}}, b"")


def test_the_offer_is_the_bytes_the_relay_reads() -> None:
    # docs/protocol.md, RenditionsOffer.
    assert renditions_offer(ladder(1280, 720, 80)[:2]) == (
        '{"type":"renditions","renditions":[{"name":"720p","w":1280,"h":720,"quality":80},'
        '{"name":"360p","w":640,"h":360,"quality":70}]}')
    assert renditions_offer(None) == '{"type":"renditions"}'
    assert [r.name for r in ladder(640, 360, 80)] == ["360p", "240p", "180p"]


def test_the_relays_messages_are_read_and_unknown_ones_skipped() -> None:
    assert parse_relay_message('{"count":3,"type":"viewers","links":{"a":1}}') == ViewerCount(3)
    assert parse_relay_message('{"type":"renditions","want":["240p","360p"]}') == RenditionsWant(["240p", "360p"])
    assert parse_relay_message('{"error":"why","type":"error"}') == Refusal("why")
    assert parse_relay_message('{"type":"keyframe","key":"@h264"}') is None
    assert parse_relay_message('{"type":"later"}') is None
    assert parse_relay_message("not json") is None


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 1000, 100003])
def test_the_numpy_mask_is_websockets_own(n: int) -> None:
    from websockets.utils import apply_mask as theirs

    from framecast.mask import apply_mask

    data, mask = bytes(range(256)) * (n // 256) + bytes(n % 256), b"\x01\x80\xfe\x37"
    assert apply_mask(data, mask) == theirs(data, mask)


def test_frames_sent_are_masked_with_numpy_where_websockets_has_no_speedups() -> None:
    """The client masks what it sends in websockets.frames (Frame.serialize)
    and unmasks what it reads in the legacy framing: both must use numpy's
    mask, or every frame sent costs a big-integer XOR that holds the GIL."""
    import websockets.frames
    import websockets.legacy.framing

    from framecast.mask import apply_mask, use_fast_mask

    if not use_fast_mask():
        pytest.skip("websockets has its compiled speedups here")
    assert websockets.frames.apply_mask is apply_mask
    assert websockets.legacy.framing.apply_mask is apply_mask
    frame = websockets.frames.Frame(websockets.frames.Opcode.BINARY, bytes(range(256)) * 400)
    sent = frame.serialize(mask=True)
    mask, body = sent[10:14], sent[14:]
    assert apply_mask(body, mask) == frame.data
