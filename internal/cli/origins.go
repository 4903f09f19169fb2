package cli

import (
	"flag"
	"fmt"
	"net/url"
	"strings"
)

// OriginFlag adds --allow-origin, shared by serve and relay: pages of the
// origins given may open the stream's WebSocket and read its responses
// (a dashboard on another site); no other site may.
func OriginFlag(fset *flag.FlagSet) *[]string {
	var origins []string
	fset.Func("allow-origin", "a web page origin, e.g. https://dashboard.example.com, whose pages may open streams like pages of this server; repeat, or separate with commas, for more (default: none)",
		func(v string) error {
			for s := range strings.SplitSeq(v, ",") {
				o, err := parseOrigin(strings.TrimSpace(s))
				if err != nil {
					return err
				}
				origins = append(origins, o)
			}
			return nil
		})
	return &origins
}

// parseOrigin checks an origin as browsers send it: scheme and host, with a
// port when it is not the scheme's own, and nothing else.
func parseOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return "", fmt.Errorf("%q is not an origin such as https://dashboard.example.com", s)
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host), nil
}
