package protocol

import "time"

// WebSocket timings, named as in gorilla's chat example. They are part of
// the protocol: a peer that does not answer a ping within the pong wait,
// or does not take a message within WriteWait, is dropped.
const (
	// WriteWait bounds one write to any peer (a viewer's WebSocket message
	// or MJPEG part, a producer's or a relay's message); a peer that takes
	// longer to take it is dropped.
	WriteWait = 10 * time.Second

	// ViewerPongWait is how long a WebSocket viewer (/ws) may stay
	// silent by default (a server's limits may set another): one that
	// vanished without closing is dropped this soon. The server pings at
	// two thirds of it, so a live viewer always answers in time.
	ViewerPongWait = 10 * time.Second

	// ProducerPongWait is how long a producer on the ingest WebSocket may
	// stay silent (no message, no pong) before the relay drops it; each client
	// of the old setup's root gets the longer of this and the viewers' wait,
	// since any of them may be its producer.
	ProducerPongWait = 30 * time.Second

	// ProducerPingPeriod is how often each end of the ingest WebSocket
	// pings the other: the relay to see a producer is there (two thirds of
	// ProducerPongWait, so a live one always answers in time), the producer
	// to keep the connection's NAT and proxies awake.
	ProducerPingPeriod = ProducerPongWait * 2 / 3
)
