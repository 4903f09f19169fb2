package httpx

import "net"

// Hosts are the addresses a client can reach a listener at addr on, as
// links write them: every IPv4 address of this machine, LAN ones first and
// loopback last, when it listens on all of them; its own address otherwise.
func Hosts(addr *net.TCPAddr) []string {
	if addr.IP.IsUnspecified() {
		return LocalAddresses()
	}
	return []string{addr.IP.String()}
}

// LocalAddresses lists this machine's IPv4 addresses, LAN ones first and
// loopback last.
func LocalAddresses() []string {
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
