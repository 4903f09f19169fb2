package app

import (
	"fmt"
	"time"

	"framecast/backend/protocol"
)

// SetRecord starts or stops recording the selected camera, and returns
// the list of cameras, whose Record says which are recorded.
func (a *App) SetRecord(on bool) ([]Camera, error) {
	if err := a.cur().SetRecord(on); err != nil {
		return a.cameras(time.Now()), err
	}
	return a.cameras(time.Now()), nil
}

// ExportClip writes seconds of the selected camera's recording from start
// (RFC 3339) into the recordings' exports folder, which retention never
// empties, and returns the file's path.
func (a *App) ExportClip(start string, seconds float64) (string, error) {
	t, err := time.Parse(time.RFC3339Nano, start)
	if err != nil {
		return "", fmt.Errorf("start %s: not a time in RFC 3339", protocol.Quote(start))
	}
	if seconds <= 0 || seconds > time.Hour.Seconds() {
		return "", fmt.Errorf("%g seconds: a clip is from a moment to an hour long", seconds)
	}
	return a.cur().Export(t, time.Duration(seconds*float64(time.Second)))
}
