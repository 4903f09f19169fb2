package config

import (
	"fmt"
	"os"
	"strings"

	"framecast/backend/protocol"
)

// exampleFile is the file WriteExample writes; TOKEN is a new random
// viewer token.
const exampleFile = `# Framecast's config file: framecast serve --config <this file>.
# Every key is explained here and in docs/config.md. Changes made through
# the runtime API (admin_token below) are saved back into this file,
# keeping its comments.

# Where to listen: host:port, or :port for every address of this machine.
addr: ":8188"

# The viewer token of every stream that sets none of its own: links carry
# it (?token=...). 16 to 256 characters; remove it for a new random one
# each run.
token: "TOKEN"

# The token of the runtime API (/api/streams, with an
# "Authorization: Bearer" header), which adds, changes and removes streams
# while serving. Unset, the API is off. It must differ from every viewer
# token. For example: openssl rand -base64 24
# admin_token: ""

# HTTPS for viewers. mode: off (plain HTTP), auto (a self-signed
# certificate, made once and kept), or acme (a certificate from Let's
# Encrypt for domains). Certificate files instead: cert and key, no mode.
tls:
  mode: off
  # cert: /etc/framecast/cert.pem
  # key: /etc/framecast/key.pem
  # With mode acme: the public names of this server (a list, or names
  # separated by commas), an address the CA may write to, the CA's
  # directory URL (Let's Encrypt by default) and where to answer its
  # HTTP-01 challenges (":80" by default; off: none).
  # domains: [cameras.example.com]
  # email: ops@example.com
  # acme_directory: https://acme-v02.api.letsencrypt.org/directory
  # acme_http: ":80"

# A relay (framecast relay) that streams are pushed to, for viewers beyond
# this network: its address (several of a cluster separated by commas),
# its publish token (the relay's operator gives it), and the CA of its
# certificate when that is a private one.
# relay:
#   url: wss://relay.example.com:8188
#   publish_token: ""
#   ca_file: /etc/framecast/relay-ca.pem

# Recording: each stream's H.264 video and what its processing detected,
# kept in dir (one folder per stream; relative to the folder serve runs
# in), for the viewer page's timeline and clips. Segments go, oldest
# first, once older than keep (such as 7d, 12h; at least 1h) or while all
# of them are over max_size (such as 50GB, 500MB, 2TiB; at least 100MB).
# Either unset: no limit of that kind. Unset dir: nothing is recorded.
# record:
#   dir: recordings
#   keep: 7d
#   max_size: 50GB

# The streams, in the order they are shown. Each is served at /s/<name>/;
# the first one also at / and /ws. Names are 1-64 letters, digits, '_',
# '-' or '.'. What a stream leaves out is the default written beside it.
streams:
  # The test pattern, processed and at every default.
  line-1:
    # test, camera:N (a camera of this machine), a video file, an
    # rtsp:// or http(s):// URL, or ingest (a producer's frames, such as a
    # Python pipeline's: docs/python.md).
    source: test
    # Processing, run on every frame in order: gray, blur, canny, faces,
    # motion, overlay (boxes drawn into the picture) or clock, with
    # parameters such as blur:size=15 or motion:minArea=800. Default: none.
    process: faces,overlay
    quality: 80 # JPEG quality, 1-100
    width: 1280 # frames are scaled down to fit width x height (0: no limit)
    height: 720
    fps: 30 # frame rate cap, 1-120
    # auto (H.264 to browsers that decode it, JPEG to the rest) or jpeg.
    codec: auto
    # H.264 bitrate of the stream's own size: auto, or such as 2M or 800k.
    bitrate: auto
    # Smaller copies for viewers on slow links, largest first:
    # WIDTHxHEIGHT@QUALITY,... or none.
    renditions: 640x360@70,426x240@60,320x180@50
    # Push to the relay: true (to relay.url under this stream's name),
    # false, or the relay's ingest URL, wss://relay.example.com/ingest/<name>.
    push: false
    # Record this stream: true by default when record.dir is set, else
    # false (and true needs record.dir).
    # record: false
    # This stream's own viewer token, instead of token above.
    # token: ""
    # With source: ingest, the token its producer gives on
    # ws://HOST:8188/ingest/<name>?token=... (16 to 256 characters).
    # publish_token: ""
    # false: the source is not opened until the stream is turned on.
    enabled: true
  # A second test pattern, smaller.
  line-2:
    source: test
    quality: 70
    width: 640
    height: 360
    fps: 15
  # A camera of this machine: remove the # of these lines.
  # line-3:
  #   source: camera:0
  #   process: motion:minArea=800,overlay
  # A Python pipeline's frames and boxes (docs/python.md): remove the #
  # of these lines and give a publish token of your own.
  # line-4:
  #   source: ingest
  #   publish_token: ""
`

// WriteExample writes a commented example config file at path, with a
// new random viewer token: two test-pattern streams and a camera left
// commented out. It never writes over a file: one that exists gives
// fs.ErrExist's error. The file is the owner's alone (0600): it holds
// tokens.
func WriteExample(path string) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write an example config file: %w", err)
	}
	_, err = out.WriteString(exampleText(protocol.NewToken()))
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write an example config file %s: %w", path, err)
	}
	return nil
}

// exampleText is the example with token as its viewer token.
func exampleText(token string) string {
	return strings.Replace(exampleFile, "TOKEN", token, 1)
}
