package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"framecast/backend/protocol"
)

// MaxStreams bounds a config file's streams: each one opens a source and
// encodes its frames.
const MaxStreams = 64

// DefaultAddr is where serve listens when the file sets no addr.
const DefaultAddr = ":8188"

// The keys of each section, as unknown-key errors list them.
var (
	fileKeys   = []string{"addr", "token", "admin_token", "tls", "relay", "record", "streams"}
	tlsKeys    = []string{"mode", "cert", "key", "domains", "email", "acme_directory", "acme_http"}
	relayKeys  = []string{"url", "publish_token", "ca_file"}
	recordKeys = []string{"dir", "keep", "max_size"}
)

// LoadFile reads and checks the config file at path. When there is no
// file, the error is fs.ErrNotExist's (errors.Is): WriteExample can then
// write one.
func LoadFile(path string) (File, error) {
	b, err := readLimited(path)
	if errors.Is(err, errTooBig) {
		return File{}, fmt.Errorf("config file %s: over the %d KiB a config file can be", path, MaxFileSize>>10)
	}
	if err != nil {
		return File{}, fmt.Errorf("config file: %w", err)
	}
	f, err := ParseFile(b)
	if err != nil {
		return File{}, prefixEach(path, err)
	}
	return f, nil
}

// prefixEach puts path before each of err's problems, one a line.
func prefixEach(path string, err error) error {
	var errs []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	} else {
		errs = []error{err}
	}
	for i, e := range errs {
		errs[i] = fmt.Errorf("%s: %w", path, e)
	}
	return errors.Join(errs...)
}

// ParseFile reads a config file's YAML and checks every value. Its error
// holds every problem found, each naming its line and key, such as
// "line 12: streams.line-2: quality 140: must be from 1 to 100".
func ParseFile(b []byte) (File, error) {
	f, _, err := parseFile(b)
	return f, err
}

// parseFile is ParseFile that also gives the file's node tree, which
// SaveFile changes.
func parseFile(b []byte) (File, *yaml.Node, error) {
	if len(b) > MaxFileSize {
		return File{}, nil, fmt.Errorf("the file is %d bytes: a config file can be at most %d KiB", len(b), MaxFileSize>>10)
	}
	empty := errors.New("the file is empty: give at least a streams: section (docs/config.md)")
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return File{}, nil, empty
	} else if err != nil {
		return File{}, nil, yamlError(err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return File{}, nil, fmt.Errorf("line %d: a second document (after ---): a config file is one", next.Line)
	} else if !errors.Is(err, io.EOF) {
		return File{}, nil, yamlError(err)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return File{}, nil, empty
	}
	var p fileParser
	f := p.file(doc.Content[0])
	if err := p.err(); err != nil {
		return File{}, nil, err
	}
	return f, &doc, nil
}

// yamlError words the YAML library's error as ours are: "line 3: …".
func yamlError(err error) error {
	return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
}

// file reads the top-level keys.
func (p *fileParser) file(root *yaml.Node) File {
	f := File{Addr: DefaultAddr}
	if root.Kind != yaml.MappingNode {
		p.failf(root, "", "the file must be keys and values (addr:, streams: …), not a %s", kindName(root.Kind))
		return f
	}
	var streams *pair
	var adminKey *yaml.Node
	for _, kv := range p.mapping(root, "") {
		switch kv.name {
		case "addr":
			if s, ok := p.str(kv.v, kv.name); ok && s != "" {
				if err := checkAddr(s); err != nil {
					p.fail(kv.v, kv.name, err)
				}
				f.Addr = s
			}
		case "token":
			f.Token = p.token(kv.v, kv.name)
		case "admin_token":
			f.AdminToken, adminKey = p.token(kv.v, kv.name), kv.key
		case "tls":
			f.TLS = p.tls(kv.v)
		case "relay":
			f.Relay = p.relay(kv.v)
		case "record":
			f.Record = p.record(kv.v)
		case "streams":
			streams = &kv
		default:
			p.unknown(kv, "", fileKeys)
		}
	}
	if streams == nil {
		p.failf(root, "", "no streams: section: give at least one stream (docs/config.md)")
		return f
	}
	f.Streams = p.streams(*streams, f.Relay, f.Record)
	if f.AdminToken != "" {
		// The admin token opens the runtime API: a viewer's token must not.
		same := f.AdminToken == f.Token
		for _, s := range f.Streams {
			same = same || f.AdminToken == s.Token
		}
		if same {
			p.failf(adminKey, "admin_token", "must differ from every viewer token: a viewer must not be able to change streams")
		}
	}
	return f
}

// checkAddr holds addr to serve's --addr rule.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s: write host:port or :port, e.g. :8188", protocol.Quote(addr))
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%s: the port must be a number from 0 to 65535", protocol.Quote(addr))
	}
	return nil
}

// token reads a token, held to protocol.CheckToken; "" when unset. The
// message never holds the token.
func (p *fileParser) token(n *yaml.Node, path string) string {
	s, ok := p.str(n, path)
	if !ok || s == "" {
		return ""
	}
	if err := protocol.CheckToken(s); err != nil {
		p.fail(n, path, err)
	}
	return s
}

// tls reads the tls: section, as serve's --tls flags.
func (p *fileParser) tls(n *yaml.Node) FileTLS {
	var t FileTLS
	var mode, cert, key, acmeOnly *yaml.Node
	written := ""
	for _, kv := range p.mapping(n, "tls") {
		path := "tls." + kv.name
		switch kv.name {
		case "mode":
			s, ok := p.str(kv.v, path)
			switch s = strings.ToLower(strings.TrimSpace(s)); {
			case !ok:
			case s == "auto" || s == "acme":
				t.Mode = s
			case s == "off" || s == "":
			default:
				p.failf(kv.v, path, "%s is not a TLS mode: auto (a self-signed certificate), acme (from Let's Encrypt) or off; for certificate files give cert and key", protocol.Quote(s))
			}
			mode, written = kv.key, s
		case "cert":
			t.Cert, _ = p.str(kv.v, path)
			cert = kv.key
		case "key":
			t.Key, _ = p.str(kv.v, path)
			key = kv.key
		case "domains":
			t.Domains, _ = p.list(kv.v, path)
			acmeOnly = kv.key
		case "email":
			t.Email, _ = p.str(kv.v, path)
			acmeOnly = kv.key
		case "acme_directory":
			t.ACMEDir, _ = p.str(kv.v, path)
			acmeOnly = kv.key
		case "acme_http":
			t.ACMEHTTP, _ = p.str(kv.v, path)
			acmeOnly = kv.key
		default:
			p.unknown(kv, "tls", tlsKeys)
		}
	}
	switch {
	case t.Cert != "" && t.Key == "":
		p.failf(cert, "tls.cert", "give tls.key with it")
	case t.Key != "" && t.Cert == "":
		p.failf(key, "tls.key", "give tls.cert with it")
	case t.Cert != "" && written != "":
		p.failf(mode, "tls.mode", "%s and tls.cert/tls.key: choose one (certificate files need no mode)", written)
	case t.Cert != "":
		t.Mode = "files"
	}
	if t.Mode == "acme" {
		if len(t.Domains) == 0 {
			p.failf(mode, "tls.mode", "acme needs tls.domains: the public names this server is reached by")
		}
		if t.ACMEHTTP == "" {
			t.ACMEHTTP = ":80"
		}
	} else if acmeOnly != nil {
		p.failf(acmeOnly, "tls."+acmeOnly.Value, "only with tls.mode acme")
	}
	return t
}

// relay reads the relay: section.
func (p *fileParser) relay(n *yaml.Node) FileRelay {
	var r FileRelay
	for _, kv := range p.mapping(n, "relay") {
		path := "relay." + kv.name
		switch kv.name {
		case "url":
			if s, ok := p.str(kv.v, path); ok && s != "" {
				if err := checkRelayURL(s); err != nil {
					p.fail(kv.v, path, err)
				}
				r.URL = s
			}
		case "publish_token":
			r.PublishToken = p.token(kv.v, path)
		case "ca_file":
			r.CAFile, _ = p.str(kv.v, path)
		default:
			p.unknown(kv, "relay", relayKeys)
		}
	}
	return r
}

// record reads the record: section. A dir is kept as written; keep and
// max_size are held to Recording.Validate's range, each on its line.
func (p *fileParser) record(n *yaml.Node) Recording {
	var r Recording
	for _, kv := range p.mapping(n, "record") {
		path := "record." + kv.name
		switch kv.name {
		case "dir":
			r.Dir, _ = p.str(kv.v, path)
		case "keep":
			if p.parsed(kv.v, path, func(text string) (err error) { r.Keep, err = ParseKeep(text); return err }) {
				if err := checkKeep(r.Keep); err != nil {
					p.fail(kv.v, path, err)
				}
			}
		case "max_size":
			if p.parsed(kv.v, path, func(text string) (err error) { r.MaxSize, err = ParseSize(text); return err }) {
				if err := checkMaxSize(r.MaxSize); err != nil {
					p.fail(kv.v, path, err)
				}
			}
		default:
			p.unknown(kv, "record", recordKeys)
		}
	}
	return r
}
