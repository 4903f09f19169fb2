package config

import (
	"framecast/backend/engine"
	"framecast/backend/protocol"
)

// File is `framecast serve --config`'s file: the server's settings and its
// streams, as YAML (docs/config.md). ParseFile and LoadFile read it;
// SaveFile writes its streams' changes made at run time back into it.
type File struct {
	// Addr is the listen address, ":8188" when the file sets none.
	Addr string
	// Token is the viewer token of every stream that sets none of its own;
	// "" : a new random one each run.
	Token string
	// AdminToken opens the runtime API (Authorization: Bearer); "" : the
	// API is off.
	AdminToken string
	TLS        FileTLS
	// Relay is where streams with push: true push, each under its name.
	Relay FileRelay
	// Record is the file's record: section: where streams are recorded
	// (its dir as written: a relative one is relative to the folder serve
	// runs in) and how long recordings are kept.
	Record Recording
	// Streams are in the file's order: the first one is also served at
	// / and /ws, as a single stream is.
	Streams []FileStream
}

// FileTLS is the file's tls: section, serve's --tls flags.
type FileTLS struct {
	Mode     string   // "" (plain HTTP), "auto", "acme", or "files" when Cert and Key are set
	Cert     string   // PEM certificate file
	Key      string   // PEM key file
	Domains  []string // with acme
	Email    string   // with acme
	ACMEDir  string   // with acme: the CA's directory URL
	ACMEHTTP string   // with acme: the HTTP-01 address, ":80" by default; "off": none
}

// FileRelay is the file's relay: section.
type FileRelay struct {
	URL          string // the relay's base address, wss://relay.example.com:8188; several of a cluster comma-separated
	PublishToken string
	CAFile       string
}

// FileStream is one entry of the file's streams: map.
type FileStream struct {
	Name string
	// Token is the stream's own viewer token; "" : File.Token.
	Token string
	// PublishToken is what the producer of a stream whose source is
	// ingest gives on /ingest/<name>; such a stream must have one.
	PublishToken string
	// Stream holds source, process, quality, width, height, fps, codec and
	// bitrate; what the file leaves out is engine.DefaultSettings'.
	Stream engine.Settings
	// Renditions are the smaller copies offered: the file's renditions,
	// "none" (empty, not nil), or protocol.DefaultRenditions() when unset;
	// SaveFile takes nil for the default too.
	Renditions []protocol.Rendition
	// Push is where the stream is pushed: push: true is File.Relay under
	// the stream's name, push: "wss://relay/ingest/name" that URL, both
	// with File.Relay's publish token (the only one a file holds).
	Push Push
	// Record: the stream is recorded, into File.Record.Dir. The file's
	// record: true or false; unset, true when record.dir is set.
	Record bool
	// Line is where the stream's entry starts in the file, for messages;
	// SaveFile finds a renamed stream's entry by it. A stream added at run
	// time has 0.
	Line int
}
