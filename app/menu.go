package app

import (
	goruntime "runtime"

	"github.com/wailsapp/wails/v2/pkg/menu"
	"github.com/wailsapp/wails/v2/pkg/menu/keys"
)

// editCommands are the Edit menu's items on Linux and Windows, with the
// editing command each runs. They carry no shortcut: the webview handles
// Ctrl+X, C, V and A in its fields itself, and a menu shortcut would take
// the keys from it.
var editCommands = []struct{ label, command string }{
	{"Cut", "cut"}, {"Copy", "copy"}, {"Paste", "paste"}, {"Select All", "selectAll"},
}

// appMenu is the window's menu: Quit (Ctrl+Q, Cmd+Q on macOS) and the usual
// Edit items. macOS gets its standard App and Edit menus, which Cmd+C and
// Cmd+V need to reach the fields at all.
func (a *App) appMenu() *menu.Menu {
	m := menu.NewMenu()
	if goruntime.GOOS == "darwin" {
		m.Append(menu.AppMenu())
		m.Append(menu.EditMenu())
		return m
	}
	file := m.AddSubmenu("File")
	file.AddText("Quit", keys.CmdOrCtrl("q"), func(*menu.CallbackData) { a.quit() })
	edit := m.AddSubmenu("Edit")
	for _, c := range editCommands {
		edit.AddText(c.label, nil, func(*menu.CallbackData) { a.edit(c.command) })
	}
	return m
}

// quit closes the window; Run then stops the stream, as on closing it.
func (a *App) quit() {
	a.mu.Lock()
	rt := a.rt
	a.mu.Unlock()
	if rt != nil {
		rt.Quit()
	}
}

func (a *App) edit(command string) {
	a.mu.Lock()
	rt := a.rt
	a.mu.Unlock()
	if rt != nil {
		rt.Edit(command)
	}
}
