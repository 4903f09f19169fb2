package server

import (
	"framecast/backend/httpx"
	"net"
	"net/url"
	"strconv"
)

// ViewerURLs returns the viewer link of the stream New made for each
// address the server can be reached on: every LAN address when it listens
// on all of them.
func (s *Server) ViewerURLs() []string { return s.URLs("/", s.Token()) }

// URLs returns the link to path (from "/") with token for each address the
// server can be reached on.
func (s *Server) URLs(path, token string) []string {
	tcp, ok := s.Addr().(*net.TCPAddr)
	if !ok {
		return nil
	}
	hosts := httpx.Hosts(tcp)
	q := url.Values{"token": {token}}.Encode()
	scheme := "http://"
	if s.https {
		scheme = "https://"
	}
	urls := make([]string, 0, len(hosts))
	for _, h := range hosts {
		urls = append(urls, scheme+net.JoinHostPort(h, strconv.Itoa(tcp.Port))+path+"?"+q)
	}
	return urls
}
