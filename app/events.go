package app

// The events the app sends the window (window.runtime.EventsOn). Each name
// is namespaced by what it is about; Events gives each one's payload type,
// and cmd/tsgen writes both into the frontend's contract, so emit these
// constants rather than string literals.
const (
	// EventStats carries Stats a few times a second.
	EventStats = "stream:stats"
	// EventPushStatus carries PushInfo a few times a second while pushing
	// to a relay.
	EventPushStatus = "push:status"
	// EventServerChanged carries Share after the port, HTTPS, the token,
	// the list of cameras or the selected one changed: the preview
	// reconnects with it.
	EventServerChanged = "server:changed"
	// EventCameras carries the list of cameras ([]Camera) a few times a
	// second, and at once when it or the selection changed.
	EventCameras = "cameras:list"
	// EventNotice carries a sentence the person should read, as a string:
	// for example that the settings could not be saved.
	EventNotice = "app:notice"
)

// Event is one event the app sends the window: its name, and a value of
// the Go type its payload has (only the type matters).
type Event struct {
	Name    string
	Payload any
}

// Events lists every event the app sends the window, with its payload type.
// cmd/tsgen fails when an Event constant is missing here, or the other way
// round.
func Events() []Event {
	return []Event{
		{Name: EventStats, Payload: Stats{}},
		{Name: EventPushStatus, Payload: PushInfo{}},
		{Name: EventServerChanged, Payload: Share{}},
		{Name: EventCameras, Payload: []Camera{}},
		{Name: EventNotice, Payload: ""},
	}
}
