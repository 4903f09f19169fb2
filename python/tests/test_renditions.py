"""Renditions: the ladder offered, and the smaller copies the relay asks for."""

from __future__ import annotations

import time

import framecast
from conftest import picture, wait_for
from fakerelay import FakeRelay

LADDER_720 = [{"name": "720p", "w": 1280, "h": 720, "quality": 80},
              {"name": "360p", "w": 640, "h": 360, "quality": 70},
              {"name": "240p", "w": 426, "h": 240, "quality": 60},
              {"name": "180p", "w": 320, "h": 180, "quality": 50}]


def test_the_renditions_asked_for_are_made_with_their_boxes_scaled() -> None:
    relay = FakeRelay()
    box = {"label": "car", "score": 0.75, "box": [640, 360, 128, 72]}
    try:
        with framecast.Publisher(relay.url, publish_token="p" * 16) as pub:
            assert pub.wait_connected(10)
            pub.send(picture(), detections=[box])
            wait_for(lambda: relay.headers(), 10, "the first frame")
            assert relay.offers == [{"type": "renditions", "renditions": LADDER_720}], "offered before the first frame"
            assert relay.headers("240p") == []

            relay.say({"type": "renditions", "want": ["240p", "99p"]})
            def sent_240() -> bool:
                pub.send(picture(), detections=[box])
                time.sleep(0.03)
                return len(relay.headers("240p")) >= 3
            wait_for(sent_240, 10, "240p frames")
            for h in relay.headers("240p"):
                assert (h["w"], h["h"]) == (426, 240)
                assert h["detections"] == [{"label": "car", "score": 0.75, "box": [213, 120, 43, 24]}]
                assert any(o["seq"] == h["seq"] and o["ts"] == h["ts"] for o in relay.headers()), "same frame"
            assert relay.headers("360p") == []

            relay.say({"type": "renditions", "want": []})
            time.sleep(0.2)
            before = len(relay.headers("240p"))
            for _ in range(5):
                pub.send(picture())
                time.sleep(0.05)
            mark = pub.stats()["sent"]
            wait_for(lambda: pub.stats()["sent"] >= mark, 5, "frames sent")
            assert len(relay.headers("240p")) == before, "no rendition once none is wanted"

            pub.send(picture(640, 480))
            wait_for(lambda: len(relay.offers) == 2, 10, "a new offer for the new size")
            assert relay.offers[1]["renditions"][0] == {"name": "480p", "w": 640, "h": 480, "quality": 80}
            assert [r["name"] for r in relay.offers[1]["renditions"]] == ["480p", "240p", "180p"]
    finally:
        relay.close()


def test_without_renditions_one_size_is_offered_nothing() -> None:
    relay = FakeRelay()
    try:
        with framecast.Publisher(relay.url, publish_token="p" * 16, renditions=False) as pub:
            assert pub.wait_connected(10)
            pub.send(picture())
            wait_for(lambda: relay.headers(), 10, "the frame")
            assert relay.offers == []
    finally:
        relay.close()


def test_a_refusal_from_the_relay_is_in_the_stats_and_the_link_stays() -> None:
    relay = FakeRelay()
    try:
        with framecast.Publisher(relay.url, publish_token="p" * 16) as pub:
            assert pub.wait_connected(10)
            relay.say({"error": "a picture must be a JPEG", "type": "error"})
            wait_for(lambda: pub.stats()["last_error"] == "a picture must be a JPEG", 10, "the refusal")
            assert pub.stats()["connected"]
    finally:
        relay.close()
