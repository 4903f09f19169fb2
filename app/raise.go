package app

// Raise brings a's window to the front, as when Framecast is started again
// while it is open. Before the window is up, and after it is gone, it does
// nothing: a window that opens comes up in front. A function, not a method:
// Wails binds every exported method to the window.
func Raise(a *App) {
	a.mu.Lock()
	rt := a.rt
	a.mu.Unlock()
	if rt != nil {
		rt.Raise()
	}
}
