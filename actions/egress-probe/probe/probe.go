package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"
)

// Result is what probing one destination found.
type Result struct {
	Destination
	// Expect is "reachable" (an allowed destination) or "blocked".
	Expect string `json:"expect"`
	// Reached is true when every layer completed.
	Reached bool `json:"reached"`
	// BlockedAt is the first layer that failed, and Error why (timeout,
	// refused, unreachable, reset, nxdomain, or the error's text).
	BlockedAt string `json:"blocked_at,omitempty"`
	Error     string `json:"error,omitempty"`
	// Layers are the layers that completed, in order.
	Layers []string `json:"layers_passed"`
	// Addresses are what DNS returned (or the literal).
	Addresses []string `json:"addresses,omitempty"`
	// Status is the HTTP status code, when the request got an answer.
	Status int `json:"http_status,omitempty"`
	// Millis is how long the probe took.
	Millis int64 `json:"ms"`
}

// Prober probes destinations, each layer within Timeout.
type Prober struct {
	Timeout  time.Duration
	Resolver *net.Resolver
}

// Probe goes through the destination's layers until one fails.
func (p *Prober) Probe(ctx context.Context, d Destination) Result {
	start := time.Now()
	r := Result{Destination: d}
	defer func() { r.Millis = time.Since(start).Milliseconds() }()
	fail := func(layer string, err error) Result {
		r.BlockedAt, r.Error = layer, classify(err)
		r.Millis = time.Since(start).Milliseconds()
		return r
	}
	addrs := []string{d.Host}
	if net.ParseIP(d.Host) == nil {
		lctx, cancel := context.WithTimeout(ctx, p.Timeout)
		ips, err := p.Resolver.LookupIPAddr(lctx, d.Host)
		cancel()
		if err == nil && len(ips) == 0 {
			err = errors.New("no address")
		}
		if err != nil {
			return fail(LayerDNS, err)
		}
		addrs = addrs[:0]
		for _, ip := range ips {
			addrs = append(addrs, ip.IP.String())
		}
		r.Layers = append(r.Layers, LayerDNS)
	}
	r.Addresses = addrs

	var conn net.Conn
	var err error
	dialer := net.Dialer{Timeout: p.Timeout}
	for _, a := range addrs {
		conn, err = dialer.DialContext(ctx, "tcp", net.JoinHostPort(a, fmt.Sprint(d.Port)))
		if err == nil {
			break
		}
	}
	if err != nil {
		return fail(LayerTCP, err)
	}
	defer conn.Close()
	r.Layers = append(r.Layers, LayerTCP)

	if d.Scheme == "https" || d.Scheme == "tls" {
		tc := tls.Client(conn, &tls.Config{
			ServerName: d.Host,
			// Reachability, not trust: an interception proxy's
			// certificate still means the network let the connection out.
			InsecureSkipVerify: true, //nolint:gosec // see above
			NextProtos:         []string{"http/1.1"},
		})
		hctx, cancel := context.WithTimeout(ctx, p.Timeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			return fail(LayerTLS, err)
		}
		conn = tc
		r.Layers = append(r.Layers, LayerTLS)
	}

	if d.Scheme == "http" || d.Scheme == "https" {
		conn.SetDeadline(time.Now().Add(p.Timeout))
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.Scheme+"://"+d.Address()+d.Path, nil)
		if err != nil {
			return fail(LayerHTTP, err)
		}
		req.Host = d.Host
		req.Header.Set("User-Agent", "hub-egress-probe")
		req.Close = true
		if err := req.Write(conn); err != nil {
			return fail(LayerHTTP, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), req)
		if err != nil {
			return fail(LayerHTTP, err)
		}
		resp.Body.Close()
		r.Status = resp.StatusCode
		r.Layers = append(r.Layers, LayerHTTP)
	}
	r.Reached = true
	return r
}

// classify names the common ways a layer fails in a word, else the error.
func classify(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return "nxdomain"
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &dnsErr) && dnsErr.IsTimeout:
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "unreachable"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES):
		return "refused by policy"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return err.Error()
}
