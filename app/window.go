package app

// The window's size, made to fit the screen it opens on. Wails centres the
// window by the size asked for, even where GTK makes it smaller to fit: a
// 1280×800 window on a 1024×640 screen opened at −128,−80 with its menu bar
// off the screen.

// Window sizes: the size the layout was made for, and the smallest it
// still works at. Both shrink to the work area of a smaller screen.
const (
	windowWidth     = 1280
	windowHeight    = 800
	windowMinWidth  = 1024
	windowMinHeight = 640
)

// decorationAllowance is kept free below the window's height for the window
// manager's title bar, which the work area does not count and GTK's sizes
// do not include.
const decorationAllowance = 40

// windowSize is the window's size and minimum size for a work area of
// width×height (0×0: unknown, the sizes the layout was made for).
func windowSize(width, height int) (w, h, minW, minH int) {
	w, h, minW, minH = windowWidth, windowHeight, windowMinWidth, windowMinHeight
	if width <= 0 || height <= 0 {
		return w, h, minW, minH
	}
	if height < windowHeight+decorationAllowance {
		height -= decorationAllowance
	}
	w, h = min(w, width), min(h, height)
	return w, h, min(minW, w), min(minH, h)
}
