package server

import (
	"framecast/backend/hub"
	"framecast/backend/protocol"
)

// NewRefusingHandler returns a Handler that no token opens: its token is a
// random one nobody is ever given. The relay serves it for stream names it
// does not have, so that such a name answers exactly as an existing stream
// answers a wrong token, on every path and method, and the wrong token
// counts against the address in d.Guard the same: names cannot be found
// out by asking. Its page assets are served as any stream's, since they are
// the same for every stream.
//
// Its Hub and Stream are its own and never used (only a right token reaches
// them), and it is closed already: it starts nothing that needs stopping.
func NewRefusingHandler(d Deps) *Handler {
	d.Hub, d.Stream, d.Metrics = hub.New(), noStream{}, nil
	sh := NewHandler("", protocol.NewToken(), d)
	sh.Close("")
	return sh
}

// noStream is the Stream of a refusing Handler.
type noStream struct{}

func (noStream) Stats() protocol.Stats { return protocol.Stats{} }
