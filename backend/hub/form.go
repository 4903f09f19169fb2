package hub

import "sync"

// A Form is one consumer's wire format of frames (a WebSocket frame for
// viewers, a masked message for the push, the old setup's base64 text):
// made at most once per frame, by the first viewer that asks, and then
// shared by every viewer of that consumer. The consumer owns it; the hub
// only keeps it with the frame.
type Form[T any] struct {
	make func(*Frame) T
}

// NewForm returns the form make builds. make must not change the frame
// (but may use its headroom, Frame.Prepend).
func NewForm[T any](make func(*Frame) T) *Form[T] { return &Form[T]{make: make} }

// Of returns f in this form, making it if no one has.
func (fm *Form[T]) Of(f *Frame) T {
	e := f.forms.entry(fm)
	e.once.Do(func() { e.v = fm.make(f) })
	return e.v.(T)
}

// Set gives f this form already made, before f is published: a producer
// that has the bytes (an old-style producer's text) spares making them.
func (fm *Form[T]) Set(f *Frame, v T) {
	e := f.forms.entry(fm)
	e.once.Do(func() { e.v = v })
}

// forms are a frame's forms, by Form.
type forms struct {
	mu sync.Mutex
	m  map[any]*formEntry // guarded by mu
}

type formEntry struct {
	once sync.Once
	v    any
}

func (fs *forms) entry(key any) *formEntry {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.m == nil {
		fs.m = make(map[any]*formEntry, 2)
	}
	e := fs.m[key]
	if e == nil {
		e = &formEntry{}
		fs.m[key] = e
	}
	return e
}
