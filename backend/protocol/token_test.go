package protocol

import (
	"strings"
	"testing"
)

func TestCheckTokenIsOneRuleForEveryToken(t *testing.T) {
	for _, tc := range []struct {
		name  string
		token string
		ok    bool
	}{
		{"a short token is refused", "abc", false},
		{"an empty token is refused", "", false},
		{"fifteen characters are refused", strings.Repeat("a", 15), false},
		{"sixteen characters are taken", strings.Repeat("a", 16), true},
		{"a base64 token with plus, slash and padding is taken", "q+Zk/3vT9x1m0P2r8sYw4A==", true},
		{"256 characters are taken", strings.Repeat("b", 256), true},
		{"257 characters are refused", strings.Repeat("b", 257), false},
		{"a token with a space is refused", "publish token 0123456789", false},
		{"a token with a newline is refused", "publish-token-0123456789\n", false},
		{"a token with a non-ASCII letter is refused", "publish-tökén-0123456789", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckToken(tc.token)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckToken(%q) = %v, want ok %v", tc.token, err, tc.ok)
			}
			if err != nil && len(tc.token) > 3 && strings.Contains(err.Error(), tc.token) {
				t.Fatalf("the error %q repeats the token", err)
			}
		})
	}
}
