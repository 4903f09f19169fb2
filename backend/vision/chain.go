package vision

import (
	"errors"
	"fmt"
	"time"

	"framecast/backend/protocol"

	"gocv.io/x/gocv"
)

// step is one built processor with its measured cost.
type step struct {
	item Item
	proc Processor
	ms   float64 // smoothed cost per frame
}

// Chain runs processors in order. It is used by one goroutine at a time.
type Chain struct {
	steps []step
}

// NewChain validates and builds a chain. On error nothing is left open.
func NewChain(items []Item) (*Chain, error) {
	c := &Chain{}
	for _, it := range items {
		k, p, err := resolve(it)
		if err == nil {
			var proc Processor
			if proc, err = k.build(p); err == nil {
				c.steps = append(c.steps, step{item: it, proc: proc})
				continue
			}
		}
		c.Close()
		return nil, err
	}
	return c, nil
}

// Run passes frame through every processor and returns the detections and
// each processor's time on this frame.
func (c *Chain) Run(frame *gocv.Mat) ([]protocol.Detection, []protocol.ProcTime, error) {
	if len(c.steps) == 0 {
		return nil, nil, nil
	}
	var dets []protocol.Detection
	times := make([]protocol.ProcTime, len(c.steps))
	w, h, typ := frame.Cols(), frame.Rows(), frame.Type()
	for i := range c.steps {
		s := &c.steps[i]
		start := time.Now()
		var err error
		dets, err = s.proc.Process(frame, dets)
		ms := float64(time.Since(start).Microseconds()) / 1000
		if err != nil {
			return dets, times, fmt.Errorf("%s: %w", s.item.Name, err)
		}
		if frame.Cols() != w || frame.Rows() != h || frame.Type() != typ {
			return dets, times, fmt.Errorf("%s changed the frame from %dx%d to %dx%d", s.item.Name, w, h, frame.Cols(), frame.Rows())
		}
		times[i] = protocol.ProcTime{Name: s.item.Name, Ms: ms}
		if s.ms == 0 {
			s.ms = ms
		} else {
			s.ms = 0.9*s.ms + 0.1*ms
		}
	}
	return dets, times, nil
}

// Items returns the chain as it was set.
func (c *Chain) Items() []Item {
	out := make([]Item, len(c.steps))
	for i, s := range c.steps {
		out[i] = s.item
	}
	return out
}

// Burns reports whether the chain asks for its detections to be drawn onto
// the picture (the overlay processor) for clients that cannot draw them.
func (c *Chain) Burns() bool {
	for _, s := range c.steps {
		if _, ok := s.proc.(overlay); ok {
			return true
		}
	}
	return false
}

// Costs returns each processor's smoothed time per frame.
func (c *Chain) Costs() []protocol.ProcTime {
	out := make([]protocol.ProcTime, len(c.steps))
	for i, s := range c.steps {
		out[i] = protocol.ProcTime{Name: s.item.Name, Ms: s.ms}
	}
	return out
}

// Close releases every processor.
func (c *Chain) Close() error {
	var errs []error
	for _, s := range c.steps {
		errs = append(errs, s.proc.Close())
	}
	c.steps = nil
	return errors.Join(errs...)
}
