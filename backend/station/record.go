package station

import (
	"errors"
	"time"

	"framecast/backend/hub"
	"framecast/backend/protocol"
	"framecast/backend/record"
	"framecast/backend/server"
)

// recordKey is the hub key a recorder takes: the stream's own size in
// H.264 at its bitrate, the frames its H.264 viewers get, so recording
// costs no second encoder while one watches.
var recordKey = hub.CodecKey("", protocol.CodecH264)

// recording is a running recorder and the tap that feeds it.
type recording struct {
	rec   *record.Recorder
	untap func()
}

// startRecordLocked starts recording the stream into the site's store;
// st.mu is held. Without a store it is an error that says what to set.
func (st *Station) startRecordLocked() error {
	if st.d.Store == nil {
		return errors.New("recording needs a folder for the recordings: serve --record DIR, or record.dir in the config file")
	}
	if st.rec.Load() != nil {
		return nil
	}
	rec, err := st.d.Store.Recorder(st.Name(), func() { st.hub.RequestKey(recordKey) })
	if err != nil {
		return err
	}
	untap := st.hub.Tap(recordKey, func(f *hub.Frame) { rec.Write(f.Header, f.Data) })
	st.rec.Store(&recording{rec: rec, untap: untap})
	return nil
}

// stopRecordLocked stops recording, writing what the recorder holds;
// st.mu is held.
func (st *Station) stopRecordLocked() {
	r := st.rec.Swap(nil)
	if r == nil {
		return
	}
	r.untap()
	if err := r.rec.Close(); err != nil {
		st.log.Warn("stop recording", "err", err)
	}
}

// SetRecord starts or stops recording the stream, and saves the choice.
// Viewers are not touched.
func (st *Station) SetRecord(on bool) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if on {
		if err := st.startRecordLocked(); err != nil {
			return err
		}
	} else {
		st.stopRecordLocked()
	}
	if st.settings.Record != on {
		st.settings.Record = on
		st.saveLocked()
	}
	return nil
}

// Recording is the recorder's state: off (the zero Status) while the
// stream is not recorded.
func (st *Station) Recording() record.Status {
	if r := st.rec.Load(); r != nil {
		return r.rec.Status()
	}
	return record.Status{}
}

// Export writes a clip of the stream's recording into the store's
// exports folder, which retention never empties, and returns its path.
func (st *Station) Export(start time.Time, d time.Duration) (string, error) {
	if st.d.Store == nil {
		return "", server.ErrNotRecorded
	}
	return st.d.Store.Export(st.Name(), start, d)
}

// recordings are the stream's recordings as its viewers read them
// (server.Recordings), under its name of the moment.
type recordings struct{ st *Station }

// readable says whether viewers may read the stream's recordings: while
// it is recorded, and after, while something recorded is kept.
func (r recordings) readable() ([]record.Span, error) {
	if r.st.d.Store == nil {
		return nil, server.ErrNotRecorded
	}
	spans := r.st.d.Store.Spans(r.st.Name())
	if len(spans) == 0 && r.st.rec.Load() == nil {
		return nil, server.ErrNotRecorded
	}
	return spans, nil
}

func (r recordings) Spans() ([]record.Span, error) { return r.readable() }

func (r recordings) Clip(start time.Time, d time.Duration) (server.Clip, error) {
	if _, err := r.readable(); err != nil {
		return nil, err
	}
	c, err := r.st.d.Store.Clip(r.st.Name(), start, d)
	if err != nil {
		return nil, err // not a nil *record.Clip, which is no nil Clip
	}
	return c, nil
}

func (r recordings) Detections(q record.Query) ([]record.Detection, error) {
	if _, err := r.readable(); err != nil {
		return nil, err
	}
	return r.st.d.Store.Detections(r.st.Name(), q)
}
