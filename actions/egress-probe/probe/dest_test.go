package probe

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestParseDestination(t *testing.T) {
	for _, tc := range []struct {
		in     string
		scheme string
		addr   string
		path   string
		layers string
		err    string
	}{
		{in: "github.com", scheme: "https", addr: "github.com:443", path: "/", layers: "dns,tcp,tls,http"},
		{in: "https://proxy.golang.org/cached-only", scheme: "https", addr: "proxy.golang.org:443", path: "/cached-only", layers: "dns,tcp,tls,http"},
		{in: "http://169.254.169.254/latest/meta-data/", scheme: "http", addr: "169.254.169.254:80", path: "/latest/meta-data/", layers: "tcp,http"},
		{in: "10.0.0.12:5432", scheme: "tcp", addr: "10.0.0.12:5432", layers: "tcp"},
		{in: "tls://[2001:db8::1]:8443", scheme: "tls", addr: "[2001:db8::1]:8443", layers: "tcp,tls"},
		{in: "tcp://db.internal", err: "needs a port"},
		{in: "tcp://db.internal:5432/x", err: "takes no path"},
		{in: "ftp://example.test/", err: "want tcp, tls, http or https"},
		{in: "https://u:p@example.test/", err: "credentials"},
		{in: "https://example.test:0/", err: "want 1 to 65535"},
	} {
		d, err := ParseDestination(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if d.Scheme != tc.scheme || d.Address() != tc.addr || d.Path != tc.path || strings.Join(d.Layers(), ",") != tc.layers {
			t.Errorf("%s: %+v layers %v", tc.in, d, d.Layers())
		}
	}
}

// On loopback: an HTTPS server is reached through every layer; a closed
// port is blocked at TCP as refused.
func TestProbeLoopback(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	defer srv.Close()
	p := &Prober{Timeout: 2 * time.Second, Resolver: net.DefaultResolver}
	d, err := ParseDestination(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	r := p.Probe(context.Background(), d)
	if !r.Reached || r.Status != http.StatusTeapot || strings.Join(r.Layers, ",") != "tcp,tls,http" {
		t.Errorf("https server: %+v", r)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	d, _ = ParseDestination("tcp://" + addr)
	if r := p.Probe(context.Background(), d); r.Reached || r.BlockedAt != LayerTCP || r.Error != "refused" {
		t.Errorf("closed port: %+v", r)
	}
}
