// Package soak holds Framecast's long-running test: a stream with its
// processing chain on and many viewers for a while, watching memory. It is
// built only with -tags soak (make test runs it for 60 s, make soak longer).
package soak
