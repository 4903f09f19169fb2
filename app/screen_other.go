//go:build !linux || !cgo

package app

// workArea is unknown here: the window opens at the sizes the layout was
// made for, and the platform fits it to the screen.
func workArea() (width, height int) { return 0, 0 }
