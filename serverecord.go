package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"framecast/backend/config"
	"framecast/backend/record"
	"framecast/backend/site"
)

// recordFlags adds serve's recording flags to fset; what they say is in
// the returned Recording once fset is parsed.
func recordFlags(fset *flag.FlagSet) *config.Recording {
	var r config.Recording
	fset.StringVar(&r.Dir, "record", "", "record the stream into this folder: H.264 in fragmented MP4 segments, and its detections (docs/recording.md)")
	fset.Func("record-keep", "with --record: delete recordings older than this, e.g. 7d, 12h or 2w (default: kept while --record-max-size allows)", func(v string) (err error) {
		r.Keep, err = config.ParseKeep(v)
		return err
	})
	fset.Func("record-max-size", "with --record: delete the oldest recordings while all of them take more than this, e.g. 50GB or 500MB (default: no limit)", func(v string) (err error) {
		r.MaxSize, err = config.ParseSize(v)
		return err
	})
	return &r
}

// openStore checks the recording settings and opens the recordings'
// store; nil when nothing is recorded. Its caller closes it after the
// site.
func openStore(r config.Recording, log *slog.Logger) (*record.Store, error) {
	if r.Dir == "" {
		if r.Keep != 0 || r.MaxSize != 0 {
			return nil, errors.New("--record-keep and --record-max-size go with --record DIR, the folder recordings go to")
		}
		return nil, nil
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("--record: %w", err)
	}
	store, err := record.Open(record.Options{Dir: r.Dir, Keep: r.Keep, MaxSize: r.MaxSize, Log: log})
	if err != nil {
		return nil, fmt.Errorf("--record %s: %w", r.Dir, err)
	}
	return store, nil
}

// printRecording says on w where the streams are recorded and for how
// long they are kept.
func printRecording(w io.Writer, r config.Recording, s *site.Site) {
	if r.Dir == "" {
		return
	}
	n := 0
	for _, st := range s.Stations() {
		if st.Saved().Record {
			n++
		}
	}
	kept := "kept until deleted"
	switch {
	case r.Keep != 0 && r.MaxSize != 0:
		kept = fmt.Sprintf("kept %s, at most %s in all", config.FormatKeep(r.Keep), config.FormatSize(r.MaxSize))
	case r.Keep != 0:
		kept = "kept " + config.FormatKeep(r.Keep)
	case r.MaxSize != 0:
		kept = "at most " + config.FormatSize(r.MaxSize) + " in all"
	}
	fmt.Fprintf(w, "Recording %d of %d streams into %s (%s); viewers scrub back on the page's timeline.\n", n, len(s.Stations()), r.Dir, kept)
}
