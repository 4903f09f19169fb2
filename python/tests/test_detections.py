"""Detections from dicts and from objects shaped like supervision's and
ultralytics' (fakes: neither library is installed here)."""

from __future__ import annotations

import math
from typing import Any, Dict, Optional

import numpy as np
import pytest

from framecast import MAX_DETECTIONS, to_detections


class FakeSupervision:
    """Shaped like supervision.Detections: numpy arrays, data by name."""

    def __init__(self, xyxy: Any, confidence: Any, class_id: Any, data: Optional[Dict[str, Any]] = None) -> None:
        self.xyxy = np.asarray(xyxy, dtype=np.float32)
        self.confidence = None if confidence is None else np.asarray(confidence, dtype=np.float32)
        self.class_id = None if class_id is None else np.asarray(class_id)
        self.data = data or {}


class FakeTensor:
    """Shaped like a torch tensor on a GPU: numpy only through .cpu()."""

    def __init__(self, values: Any) -> None:
        self._values = np.asarray(values, dtype=np.float32)

    def cpu(self) -> "FakeTensor":
        return self

    def numpy(self) -> np.ndarray:
        return self._values


class FakeBoxes:
    def __init__(self, xyxy: Any, conf: Any, cls: Any) -> None:
        self.xyxy, self.conf, self.cls = FakeTensor(xyxy), FakeTensor(conf), FakeTensor(cls)


class FakeResults:
    """Shaped like ultralytics' Results: .boxes and .names."""

    def __init__(self, xyxy: Any, conf: Any, cls: Any, names: Dict[int, str]) -> None:
        self.boxes = FakeBoxes(xyxy, conf, cls)
        self.names = names


def test_dicts_are_taken_as_they_are_with_boxes_rounded_to_ints() -> None:
    got = to_detections([{"label": "face", "score": 0.9, "box": [10.4, 20.6, 30, 40]}])
    assert got == [{"label": "face", "score": pytest.approx(0.9), "box": [10, 21, 30, 40]}]


def test_supervision_detections_take_their_class_names() -> None:
    d = FakeSupervision([[10, 20, 110, 70], [0, 0, 5.5, 5.5]], [0.5, 0.25], [2, 0],
                        {"class_name": np.array(["car", "person"])})
    assert to_detections(d) == [{"label": "car", "score": 0.5, "box": [10, 20, 100, 50]},
                                {"label": "person", "score": 0.25, "box": [0, 0, 6, 6]}]


def test_supervision_detections_without_names_use_a_names_map_or_the_id() -> None:
    d = FakeSupervision([[0, 0, 10, 10], [1, 1, 2, 2]], None, [1, 7])
    assert [x["label"] for x in to_detections(d, names={1: "bicycle"})] == ["bicycle", "7"]
    assert [x["score"] for x in to_detections(d)] == [1.0, 1.0]


def test_ultralytics_results_take_the_models_names() -> None:
    r = FakeResults([[100, 50, 300, 250]], [0.875], [0.0], {0: "person", 1: "bicycle"})
    want = [{"label": "person", "score": 0.875, "box": [100, 50, 200, 200]}]
    assert to_detections(r) == want
    assert to_detections([r]) == want, "a list of Results, as model(frame) returns"


def test_labels_are_cut_and_boxes_bounded() -> None:
    many = FakeSupervision([[0, 0, 1, 1]] * (MAX_DETECTIONS + 50), None, [0] * (MAX_DETECTIONS + 50),
                           {"class_name": ["x" * 200] * (MAX_DETECTIONS + 50)})
    got = to_detections(many)
    assert len(got) == MAX_DETECTIONS
    assert got[0]["label"] == "x" * 64


@pytest.mark.parametrize("bad", [
    [{"label": "a", "score": math.nan, "box": [0, 0, 1, 1]}],
    [{"label": "a", "score": 1, "box": [0, math.inf, 1, 1]}],
    [{"label": "a", "score": 1, "box": [0, 0, 1]}],
])
def test_numbers_that_are_not_finite_or_boxes_not_of_four_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError):
        to_detections(bad)


def test_something_else_is_refused_saying_what_is_taken() -> None:
    with pytest.raises(TypeError, match="supervision"):
        to_detections(42)
