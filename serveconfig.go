package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"framecast/backend/config"
	"framecast/backend/site"
)

// streamFlags are serve's flags that a config file sets instead: with
// --config giving one of them is an error that says where it goes.
var streamFlags = map[string]string{
	"source": "streams.<name>.source", "name": "the streams: map's keys", "quality": "streams.<name>.quality",
	"width": "streams.<name>.width", "height": "streams.<name>.height", "fps": "streams.<name>.fps",
	"codec": "streams.<name>.codec", "bitrate": "streams.<name>.bitrate", "process": "streams.<name>.process",
	"renditions": "streams.<name>.renditions", "token": "token", "addr": "addr", "admin-token": "admin_token",
	"push": "relay: url and streams.<name>.push", "publish-token": "relay: publish_token", "ca-file": "relay: ca_file",
	"record": "record: dir", "record-keep": "record: keep", "record-max-size": "record: max_size",
	"tls": "tls: mode", "tls-cert": "tls: cert", "tls-key": "tls: key", "domain": "tls: domains",
	"acme-email": "tls: email", "acme-directory": "tls: acme_directory", "acme-http": "tls: acme_http",
}

// loadConfigFile reads serve's --config file. When there is none it writes
// a commented example there, says so on out, and serves that.
func loadConfigFile(path string, fset *flag.FlagSet, out io.Writer) (config.File, error) {
	var given []string
	fset.Visit(func(f *flag.Flag) {
		if _, ok := streamFlags[f.Name]; ok {
			given = append(given, f.Name)
		}
	})
	if len(given) > 0 {
		slices.Sort(given)
		return config.File{}, fmt.Errorf("--%s: with --config the file sets it (%s)", given[0], streamFlags[given[0]])
	}
	f, err := config.LoadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if werr := config.WriteExample(path); werr != nil {
			return f, fmt.Errorf("--config %s: there is no such file, and an example could not be written there: %w", path, werr)
		}
		fmt.Fprintf(out, "There was no config file at %s: wrote a commented example there (two test-pattern streams), and serving it. Edit it and start again to show your cameras.\n", path)
		f, err = config.LoadFile(path)
	}
	if err != nil {
		return f, err
	}
	// The file's address and TLS go through the flags' own checks and
	// loading (ACME, certificate files), as if given on the command line.
	set := map[string]string{"addr": f.Addr, "tls-cert": f.TLS.Cert, "tls-key": f.TLS.Key, "acme-email": f.TLS.Email,
		"acme-directory": f.TLS.ACMEDir, "acme-http": f.TLS.ACMEHTTP, "domain": strings.Join(f.TLS.Domains, ","),
		"record": f.Record.Dir}
	if f.Record.Keep != 0 {
		set["record-keep"] = config.FormatKeep(f.Record.Keep)
	}
	if f.Record.MaxSize != 0 {
		set["record-max-size"] = config.FormatSize(f.Record.MaxSize)
	}
	if f.TLS.Mode == "auto" || f.TLS.Mode == "acme" {
		set["tls"] = f.TLS.Mode
	}
	for name, v := range set {
		if v == "" {
			continue
		}
		if err := fset.Set(name, v); err != nil {
			return f, fmt.Errorf("%s: %s: %w", path, streamFlags[name], err)
		}
	}
	return f, nil
}

// fileSite turns the file into the site's settings. Streams without a
// token of their own take the file's, or one made up for this run.
func fileSite(f config.File, port int, tlsOn bool, runToken string) site.Config {
	sc := site.Config{Port: port, TLS: tlsOn, AdminToken: f.AdminToken}
	for _, s := range f.Streams {
		token := s.Token
		if token == "" {
			token = runToken
		}
		sc.Streams = append(sc.Streams, config.Camera{Name: s.Name, Stream: s.Stream, Token: token, PublishToken: s.PublishToken, Push: s.Push, Renditions: s.Renditions, Record: s.Record})
	}
	return sc
}

// fileSaver saves the site's streams back into the file at path, which
// was f when read: what the runtime API changes survives a restart. The
// site calls it one save at a time.
type fileSaver struct {
	path     string
	file     config.File // as last saved
	runToken string      // the streams' token when the file sets none
}

func (fsv *fileSaver) save(c site.Config) error {
	next := fsv.file
	next.Streams = nil
	for _, cam := range c.Streams {
		token := cam.Token
		if token == fsv.runToken {
			token = "" // the file's shared one (or this run's)
		}
		next.Streams = append(next.Streams, config.FileStream{Name: cam.Name, Token: token, PublishToken: cam.PublishToken, Stream: cam.Stream,
			Renditions: cam.Renditions, Push: cam.Push, Record: cam.Record, Line: fsv.lineOf(cam.Name, c)})
	}
	if err := config.SaveFile(fsv.path, next); err != nil {
		return err
	}
	fsv.file = next
	return nil
}

// lineOf is where the stream called name starts in the file, so SaveFile
// finds its entry; a stream just renamed (the only name gone, this one
// new: the site saves after each change) keeps its old entry's. 0: new.
func (fsv *fileSaver) lineOf(name string, c site.Config) int {
	var gone []config.FileStream
	for _, s := range fsv.file.Streams {
		if s.Name == name {
			return s.Line
		}
		if !slices.ContainsFunc(c.Streams, func(cam config.Camera) bool { return cam.Name == s.Name }) {
			gone = append(gone, s)
		}
	}
	if len(gone) == 1 && len(c.Streams) == len(fsv.file.Streams) {
		return gone[0].Line
	}
	return 0
}
