package app

import (
	"fmt"
	"strings"
)

// IngestInfo is what the "External producer" source shows: where a
// producer, such as a Python pipeline, sends the selected camera's frames.
type IngestInfo struct {
	// URLs are the producer's addresses, one for each address the server
	// can be reached on, each with the publish token.
	URLs []string `json:"urls"`
	// PublishToken is the token the producer gives.
	PublishToken string `json:"publishToken"`
	// Python is the line to paste into a Python script (docs/python.md).
	Python string `json:"python"`
	// Connected says whether a producer is connected now.
	Connected bool `json:"connected"`
}

// IngestInfo returns where a producer sends the selected camera's frames:
// nothing (no URLs, no token) when its source is not ingest ("External
// producer").
func (a *App) IngestInfo() (IngestInfo, error) {
	cur := a.cur()
	urls, token := cur.Ingest()
	if token == "" {
		return IngestInfo{URLs: []string{}}, nil
	}
	info := IngestInfo{URLs: urls, PublishToken: token, Connected: cur.ProducerConnected()}
	if info.URLs == nil {
		info.URLs = []string{}
	}
	if len(urls) > 0 {
		// The client adds the token to the URL itself.
		base, _, _ := strings.Cut(urls[0], "?")
		info.Python = fmt.Sprintf("framecast.Publisher(%q, publish_token=%q)", base, token)
	}
	return info, nil
}
