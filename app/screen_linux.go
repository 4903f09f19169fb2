//go:build linux && cgo

package app

/*
#cgo pkg-config: gtk+-3.0
#include <gtk/gtk.h>

// framecast_workarea names the application for the window manager (GDK's
// leader window takes its name: without it, the lowercase program name) and
// gives the work area of the primary monitor (or the first), or 0 without
// a display.
static int framecast_workarea(int *width, int *height) {
	g_set_application_name("Framecast");
	if (!gtk_init_check(NULL, NULL)) return 0;
	GdkDisplay *display = gdk_display_get_default();
	if (display == NULL) return 0;
	GdkMonitor *monitor = gdk_display_get_primary_monitor(display);
	if (monitor == NULL) monitor = gdk_display_get_monitor(display, 0);
	if (monitor == NULL) return 0;
	GdkRectangle area;
	gdk_monitor_get_workarea(monitor, &area);
	*width = area.width;
	*height = area.height;
	return 1;
}
*/
import "C"

// workArea starts GTK, as Wails would next, and returns the size of the
// screen's work area (without panels and docks), or 0×0 when it cannot be
// known. It must run on the main thread, before wails.Run.
func workArea() (width, height int) {
	var w, h C.int
	if C.framecast_workarea(&w, &h) == 0 {
		return 0, 0
	}
	return int(w), int(h)
}
