package app

import (
	"framecast/backend/engine"
	"framecast/backend/vision"
)

// Processors describes every processor the chain can hold, with its
// parameters, for the processing panel.
func (a *App) Processors() ([]vision.Info, error) { return vision.Available(), nil }

// Chain returns the processing chain in force.
func (a *App) Chain() ([]vision.Item, error) {
	return append([]vision.Item{}, a.cur().Settings().Process...), nil
}

// SetChain replaces the whole processing chain at once. A bad one (an
// unknown processor, a parameter out of range) is refused with the reason
// and the running chain stays.
func (a *App) SetChain(items []vision.Item) ([]vision.Item, error) {
	s, err := a.cur().Update(func(s *engine.Settings) { s.Process = items })
	return append([]vision.Item{}, s.Process...), err
}
