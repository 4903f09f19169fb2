package site

import (
	"errors"
	"fmt"
	"slices"

	"framecast/backend/config"
	"framecast/backend/engine"
	"framecast/backend/protocol"
	"framecast/backend/station"
)

// Add starts a new stream at the end of the list and saves the list. A
// name already taken, or settings the engine refuses, are errors and
// change nothing.
func (s *Site) Add(cam config.Camera) (*station.Station, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.Stations()
	if len(list) >= MaxStreams {
		return nil, fmt.Errorf("at most %d streams", MaxStreams)
	}
	if !protocol.ValidStreamName(cam.Name) {
		return nil, fmt.Errorf("stream name %s: %s", protocol.Quote(cam.Name), protocol.StreamNameRule)
	}
	if s.Station(cam.Name) != nil {
		return nil, fmt.Errorf("stream %s: a stream of that name exists", protocol.Quote(cam.Name))
	}
	st, err := s.newStation(cam)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", protocol.Quote(cam.Name), err)
	}
	s.publish(append(slices.Clone(list), st))
	s.saveList()
	s.log.Info("stream added", "stream", cam.Name)
	return st, nil
}

// Remove stops the stream called name, telling its viewers why, and saves
// the list. The other streams' viewers are not touched.
func (s *Site) Remove(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.Stations()
	i := slices.IndexFunc(list, func(st *station.Station) bool { return st.Name() == name })
	if i < 0 {
		return fmt.Errorf("stream %s: %w", protocol.Quote(name), ErrNoStream)
	}
	st := list[i]
	s.publish(slices.Delete(slices.Clone(list), i, i+1))
	st.Handler().Move("this stream was removed")
	st.Close()
	s.saveMu.Lock()
	delete(s.saved, st)
	s.saveMu.Unlock()
	s.saveList()
	s.log.Info("stream removed", "stream", name)
	return nil
}

// Rename gives the stream called from the name to; viewers at its old
// address are told it moved.
func (s *Site) Rename(from, to string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.Station(from)
	if st == nil {
		return fmt.Errorf("stream %s: %w", protocol.Quote(from), ErrNoStream)
	}
	if from == to {
		return nil
	}
	if s.Station(to) != nil {
		return fmt.Errorf("stream %s: a stream of that name exists", protocol.Quote(to))
	}
	if err := st.Rename(to); err != nil {
		return err
	}
	if s.d.Links != nil {
		s.d.Links.Rename(from, to) // its customers' links follow it
	}
	s.publish(s.Stations())
	s.saveList()
	return nil
}

// Reorder puts the streams in the order names gives: every stream's name
// once. The first one is the stream at the single-stream paths.
func (s *Site) Reorder(names []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.Stations()
	if len(names) != len(list) {
		return fmt.Errorf("give every stream's name once: %d names for %d streams", len(names), len(list))
	}
	next := make([]*station.Station, 0, len(list))
	for _, n := range names {
		st := s.Station(n)
		if st == nil || slices.Contains(next, st) {
			return fmt.Errorf("give every stream's name once: %s is not one, or twice", protocol.Quote(n))
		}
		next = append(next, st)
	}
	s.publish(next)
	s.saveList()
	return nil
}

// saveStream is a station's Save: it keeps the station's settings and
// saves the whole site. Called with the station's lock held. While the
// station starts (st is nil yet) nothing is saved: whoever starts it saves
// the list once it is in.
func (s *Site) saveStream(st *station.Station, c config.Camera) error {
	if st == nil {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	s.saved[st] = c
	return s.saveLocked()
}

// saveList saves the site after the list changed; s.mu is held. A failed
// save is logged and told, and the streams are not touched.
func (s *Site) saveList() {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	if err := s.saveLocked(); err != nil {
		s.log.Warn("save settings", "err", err)
		if s.d.Notify != nil {
			s.d.Notify("settings could not be saved: " + err.Error())
		}
	}
}

// saveLocked writes the site's settings; s.saveMu is held. The port and
// HTTPS are read without s.mu: they are written under both.
func (s *Site) saveLocked() error {
	if s.d.Save == nil {
		return nil
	}
	c := Config{Port: s.port, TLS: s.tlsOn, AdminToken: s.adminToken}
	for _, st := range s.Stations() {
		if cam, ok := s.saved[st]; ok {
			c.Streams = append(c.Streams, cam)
		}
	}
	return s.d.Save(c)
}

// Change applies a stream's new settings, next, checked already, that spec
// gave; saved is what they replace. The engine's settings go first: if it
// refuses them (a source that will not open) nothing changes.
func (s *Site) Change(st *station.Station, saved, next config.Camera, spec StreamSpec) error {
	if next.Record && s.d.Store == nil {
		return errors.New("record: this server keeps no recordings: start it with --record DIR, or record.dir in the config file")
	}
	if spec.changesStream() {
		var err error
		if _, err = st.Update(func(set *engine.Settings) { _ = spec.applyStream(set) }); err != nil {
			return err
		}
	}
	if next.Token != saved.Token {
		if err := st.SetToken(next.Token); err != nil {
			return err
		}
	}
	if next.Push != saved.Push {
		if err := st.SetPush(next.Push); err != nil {
			return fmt.Errorf("push: %w", err)
		}
	}
	if spec.Renditions != nil {
		st.SetRenditions(next.Renditions)
	}
	if next.Record != saved.Record {
		if err := st.SetRecord(next.Record); err != nil {
			return fmt.Errorf("record: %w", err)
		}
	}
	if next.Name != saved.Name {
		return s.Rename(saved.Name, next.Name)
	}
	return nil
}
