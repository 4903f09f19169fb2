package vision

import "image"

// placeLabels finds where each box's label goes so none covers another:
// above the box's top-left corner when that is free and inside the frame,
// else inside the box at its top, else below it. A label that fits none of
// these is left out (its box is still drawn): a pile of labels nobody can
// read helps nobody. boxes and sizes are in frame pixels, one size (label
// with its padding) per box; the result has one rectangle per box, empty
// for a label left out.
func placeLabels(boxes []image.Rectangle, sizes []image.Point, frame image.Rectangle) []image.Rectangle {
	out := make([]image.Rectangle, len(boxes))
	var placed []image.Rectangle
	for i, b := range boxes {
		s := sizes[i]
		x := max(frame.Min.X, min(b.Min.X, frame.Max.X-s.X))
		for _, y := range []int{b.Min.Y - s.Y, b.Min.Y, b.Max.Y} {
			r := image.Rect(x, y, x+s.X, y+s.Y)
			if !r.In(frame) || overlapsAny(r, placed) {
				continue
			}
			out[i] = r
			placed = append(placed, r)
			break
		}
	}
	return out
}

func overlapsAny(r image.Rectangle, rs []image.Rectangle) bool {
	for _, o := range rs {
		if r.Overlaps(o) {
			return true
		}
	}
	return false
}
