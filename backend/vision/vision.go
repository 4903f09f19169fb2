// Package vision is Framecast's processing chain: an ordered list of
// processors (grayscale, blur, edges, face and motion detection, overlays)
// run on every frame before it is encoded. Processors keep the frame's size
// and BGR type, so any order works, and report what they find as
// detections that travel with the frame.
package vision

import (
	"framecast/backend/protocol"

	"gocv.io/x/gocv"
)

// Processor changes a frame in place and reports what it found. It gets the
// detections of the processors before it and returns them with its own
// appended. A Processor is used by one goroutine at a time.
type Processor interface {
	Process(frame *gocv.Mat, dets []protocol.Detection) ([]protocol.Detection, error)
	Close() error
}

// Item is one step of a chain as a person sets it: a processor name and its
// parameters. Missing parameters take their defaults.
type Item = protocol.ChainItem

// Param describes one parameter of a processor, for validation and for the
// desktop app's controls.
type Param struct {
	Name    string  `json:"name"`
	Title   string  `json:"title"`
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
	Step    float64 `json:"step"`
	Default float64 `json:"default"`
}

// Info describes a kind of processor.
type Info struct {
	Name   string  `json:"name"`
	Title  string  `json:"title"`
	Params []Param `json:"params"`
}

// params are an item's parameters with defaults filled in.
type params map[string]float64

func (p params) int(name string) int { return int(p[name]) }
