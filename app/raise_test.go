package app

import "testing"

func TestRaiseReachesTheWindowOnlyWhileItIsUp(t *testing.T) {
	a := &App{}
	Raise(a) // before the window: nothing to raise, and no runtime to call
	rt := &fakeRuntime{}
	a.rt = rt // as startup does, without its stats loop
	Raise(a)
	if n := rt.raised.Load(); n != 1 {
		t.Fatalf("the window was raised %d times, want 1", n)
	}
	a.windowGone()
	Raise(a)
	if n := rt.raised.Load(); n != 1 {
		t.Fatalf("a Raise after the window was gone reached its runtime (%d raises)", n)
	}
}
