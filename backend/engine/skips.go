package engine

import (
	"strings"
	"time"

	"framecast/backend/protocol"
)

// Skipped frames are told to the operator (Stats.SkipCause) only while
// they matter and with what causes them: an empty chain on a busy machine
// skips a frame now and then, and that is no reason to blame processing.
const (
	// skipWarnShare: at least this share of the frames that reached the
	// engine in the meter's window (two seconds) were skipped, and at
	// least skipWarnRate a second: the first frames' hiccups are not
	// worth a warning.
	skipWarnShare = 0.1
	skipWarnRate  = 2
	// busyShare: the processing goroutine's own work (chain, encoding,
	// renditions) takes at least this share of the time between two
	// frames. Below it that work keeps up; skips then come from a machine
	// too busy to run it in time.
	busyShare = 0.8
)

// Stages of the processing goroutine (Engine.stage).
const (
	stageWaiting int32 = iota // for a frame, or woken and not yet running
	stageChain
	stageEncode
	stageRenditions
)

// stageCosts are what one frame cost the processing goroutine, stage by
// stage, in CPU time where it can be read; smoothed, the engine's running
// figures.
type stageCosts struct {
	chain, encode, renditions time.Duration
}

// stageClock measures the stages of one frame on the processing goroutine.
type stageClock struct {
	last time.Duration // CPU time, or the clock's since start
	cpu  bool
	at   time.Time
}

func newStageClock() stageClock {
	c := stageClock{at: time.Now()}
	c.last, c.cpu = processCPU()
	return c
}

// lap is the time since the last lap (or the start).
func (c *stageClock) lap() time.Duration {
	if c.cpu {
		if now, ok := processCPU(); ok {
			d := now - c.last
			c.last = now
			return d
		}
	}
	now := time.Now()
	d := now.Sub(c.at)
	c.at = now
	return d
}

// smooth takes one frame's costs into the running figures.
func (c *stageCosts) smooth(f stageCosts) {
	avg := func(old *time.Duration, v time.Duration) {
		if *old == 0 {
			*old = v
			return
		}
		*old = (*old*9 + v) / 10
	}
	avg(&c.chain, f.chain)
	avg(&c.encode, f.encode)
	avg(&c.renditions, f.renditions)
}

// noteSkip records a skipped frame and what caused it: the slowest stage
// of the processing goroutine when its work (in CPU time) fills the time
// between frames, the fps cap's; else the CPU: the work would keep up, but
// the machine is too busy to run it in time. For the chain, its slowest
// processor is named. Before any frame is measured, the stage the first
// frame is in is taken once it has used that much CPU.
func (e *Engine) noteSkip(now time.Time) {
	e.skips.Tick(now)
	stage := e.stage.Load()
	var onFrame time.Duration // CPU time since the frame under way was taken
	if cpu, ok := processCPU(); ok {
		onFrame = cpu - time.Duration(e.busyCPU.Load())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	// The fps cap, not the source's rate measured: that takes a while to
	// be known, and a source slower than the cap skips nothing while
	// processing keeps up with the cap.
	budget := time.Duration(busyShare * float64(time.Second) / float64(max(1, e.settings.FPS)))
	c := e.costs
	switch {
	case c.chain+c.encode+c.renditions >= budget:
		switch {
		case c.chain >= c.encode && c.chain >= c.renditions:
			stage = stageChain
		case c.encode >= c.renditions:
			stage = stageEncode
		default:
			stage = stageRenditions
		}
	case c != stageCosts{} || onFrame < budget:
		stage = stageWaiting
	}
	switch stage {
	case stageChain:
		e.skipCause = protocol.SkipByProcessor + e.slowestLocked()
	case stageEncode:
		e.skipCause = protocol.SkipByEncoder
	case stageRenditions:
		e.skipCause = protocol.SkipByRenditions
	default:
		e.skipCause = protocol.SkipByCPU
	}
}

// slowestLocked names the processor that costs the most a frame; before
// any is measured, the chain's processors; e.mu is held.
func (e *Engine) slowestLocked() string {
	var s protocol.ProcTime
	for _, t := range e.stats.Chain {
		if t.Ms > s.Ms {
			s = t
		}
	}
	if s.Name != "" {
		return s.Name
	}
	names := make([]string, len(e.settings.Process))
	for i, it := range e.settings.Process {
		names[i] = it.Name
	}
	return strings.Join(names, ",")
}

// skipWarning is the cause of skipped frames while they matter (at least
// skipWarnShare of the frames lately), else "".
func (e *Engine) skipWarning(now time.Time, cause string) string {
	skips := e.skips.Rate(now)
	if skips < skipWarnRate || skips < skipWarnShare*(skips+e.output.Rate(now)) {
		return ""
	}
	return cause
}
