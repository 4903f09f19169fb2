package links

import (
	"fmt"
	"testing"
)

// BenchmarkAdmit is what a request's token costs with a full Book: one
// hash and a constant-time compare with every link's.
func BenchmarkAdmit(b *testing.B) {
	book := NewBook(nil, BookDeps{})
	defer book.Close()
	var last Link
	for i := range MaxLinks {
		l, err := book.Add(Spec{Name: fmt.Sprint("customer ", i), Streams: []string{fmt.Sprint("line-", i%3)}})
		if err != nil {
			b.Fatal(err)
		}
		last = l
	}
	for _, tc := range []struct{ name, token string }{{"a link's token", last.Token}, {"a wrong token", "wrong-token-0123456789abc"}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				book.Admit(last.Streams[0], tc.token)
			}
		})
	}
}
