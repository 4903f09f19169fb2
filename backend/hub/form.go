package hub

import (
	"sync"
	"sync/atomic"
)

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

// forms are a frame's forms, by Form: a list that only grows, read
// without a lock (every viewer looks its form up, once a frame).
type forms struct {
	head atomic.Pointer[formEntry]
}

type formEntry struct {
	key  any
	once sync.Once
	v    any
	next *formEntry
}

func (fs *forms) entry(key any) *formEntry {
	for {
		head := fs.head.Load()
		for e := head; e != nil; e = e.next {
			if e.key == key {
				return e
			}
		}
		e := &formEntry{key: key, next: head}
		if fs.head.CompareAndSwap(head, e) {
			return e
		}
	}
}
