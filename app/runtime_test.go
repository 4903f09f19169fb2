package app

import (
	"sync"
	"sync/atomic"
	"time"
)

// fakeRuntime stands in for the Wails runtime, with function fields.
type fakeRuntime struct {
	mu     sync.Mutex
	events []string
	at     []time.Time // when each event came
	data   map[string]any
	more   chan struct{} // signalled on each event

	OpenFileImpl func(title string) (string, error)
	copied       string
	raised       atomic.Int32 // Raise calls
}

func (f *fakeRuntime) Emit(event string, data any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, event)
	f.at = append(f.at, time.Now())
	if f.data == nil {
		f.data = map[string]any{}
	}
	f.data[event] = data
	if f.more == nil {
		f.more = make(chan struct{}, 1)
	}
	select {
	case f.more <- struct{}{}:
	default:
	}
}

// times returns when each event of that name came.
func (f *fakeRuntime) times(event string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ts []time.Time
	for i, e := range f.events {
		if e == event {
			ts = append(ts, f.at[i])
		}
	}
	return ts
}

// wait returns after the next event, or within a second.
func (f *fakeRuntime) wait() {
	f.mu.Lock()
	if f.more == nil {
		f.more = make(chan struct{}, 1)
	}
	more := f.more
	f.mu.Unlock()
	select {
	case <-more:
	case <-time.After(time.Second):
	}
}

func (f *fakeRuntime) OpenFile(title string) (string, error) { return f.OpenFileImpl(title) }
func (f *fakeRuntime) CopyText(text string) error            { f.copied = text; return nil }
func (f *fakeRuntime) Quit()                                 {}
func (f *fakeRuntime) Edit(string)                           {}
func (f *fakeRuntime) Raise()                                { f.raised.Add(1) }

func (f *fakeRuntime) last(event string) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.data[event]
}
