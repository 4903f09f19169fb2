package server

import (
	"net"
	"net/url"
	"strconv"
)

// ViewerURLs returns the viewer link for each address the server can be
// reached on: every LAN address when it listens on all of them.
func (s *Server) ViewerURLs() []string {
	tcp, ok := s.Addr().(*net.TCPAddr)
	if !ok {
		return nil
	}
	hosts := Hosts(tcp)
	q := url.Values{"token": {s.Token()}}.Encode()
	scheme := "http://"
	if s.https {
		scheme = "https://"
	}
	urls := make([]string, 0, len(hosts))
	for _, h := range hosts {
		urls = append(urls, scheme+net.JoinHostPort(h, strconv.Itoa(tcp.Port))+"/?"+q)
	}
	return urls
}

// Hosts are the addresses a client can reach a listener at addr on, as
// links write them: every IPv4 address of this machine, LAN ones first and
// loopback last, when it listens on all of them; its own address otherwise.
func Hosts(addr *net.TCPAddr) []string {
	if addr.IP.IsUnspecified() {
		return localAddresses()
	}
	return []string{addr.IP.String()}
}

// localAddresses lists this machine's IPv4 addresses, LAN ones first and
// loopback last.
func localAddresses() []string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return []string{"127.0.0.1"}
	}
	var lan []string
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.To4() == nil || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		lan = append(lan, ipn.IP.String())
	}
	return append(lan, "127.0.0.1")
}
