package probe

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// The layers a probe goes through, in order.
const (
	LayerDNS  = "dns"
	LayerTCP  = "tcp"
	LayerTLS  = "tls"
	LayerHTTP = "http"
)

// Destination is one place to probe.
type Destination struct {
	// Text is the destination as written.
	Text   string `json:"destination"`
	Scheme string `json:"scheme"` // tcp, tls, http or https
	Host   string `json:"host"`
	Port   int    `json:"port"`
	Path   string `json:"path,omitempty"`
}

// Layers returns the layers the destination goes through.
func (d Destination) Layers() []string {
	var ls []string
	if net.ParseIP(d.Host) == nil {
		ls = append(ls, LayerDNS)
	}
	ls = append(ls, LayerTCP)
	if d.Scheme == "https" || d.Scheme == "tls" {
		ls = append(ls, LayerTLS)
	}
	if d.Scheme == "http" || d.Scheme == "https" {
		ls = append(ls, LayerHTTP)
	}
	return ls
}

var defaultPorts = map[string]int{"http": 80, "https": 443, "tls": 443}

// ParseDestination reads "scheme://host[:port][/path]" (scheme tcp, tls,
// http or https; tcp needs a port) or "host:port" (tcp) or a bare host
// (https). IPv6 literals go in brackets.
func ParseDestination(s string) (Destination, error) {
	text := strings.TrimSpace(s)
	raw := text
	if !strings.Contains(raw, "://") {
		if _, port, err := net.SplitHostPort(raw); err == nil && port != "" {
			raw = "tcp://" + raw
		} else {
			raw = "https://" + raw
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Destination{}, fmt.Errorf("not a destination: %w", err)
	}
	d := Destination{Text: text, Scheme: strings.ToLower(u.Scheme), Host: u.Hostname(), Path: u.EscapedPath()}
	if u.User != nil {
		return Destination{}, fmt.Errorf("credentials in a destination are refused")
	}
	if _, ok := map[string]bool{"tcp": true, "tls": true, "http": true, "https": true}[d.Scheme]; !ok {
		return Destination{}, fmt.Errorf("scheme %q: want tcp, tls, http or https", u.Scheme)
	}
	if d.Host == "" {
		return Destination{}, fmt.Errorf("no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Destination{}, fmt.Errorf("port %q: want 1 to 65535", p)
		}
		d.Port = n
	} else if n, ok := defaultPorts[d.Scheme]; ok {
		d.Port = n
	} else {
		return Destination{}, fmt.Errorf("a tcp destination needs a port")
	}
	if (d.Scheme == "tcp" || d.Scheme == "tls") && d.Path != "" {
		return Destination{}, fmt.Errorf("a %s destination takes no path", d.Scheme)
	}
	if d.Path == "" && (d.Scheme == "http" || d.Scheme == "https") {
		d.Path = "/"
	}
	return d, nil
}

// Address is host:port.
func (d Destination) Address() string { return net.JoinHostPort(d.Host, strconv.Itoa(d.Port)) }

// DefaultProbes are the destinations a default-deny network must block:
// a public IP literal (no DNS needed to leave), a paste site, the cloud
// metadata service, DNS-over-HTTPS endpoints (which carry data past a DNS
// allowlist) and an arbitrary high TCP port.
var DefaultProbes = []string{
	"https://1.1.1.1/",
	"https://pastebin.com/",
	"http://169.254.169.254/latest/meta-data/",
	"https://dns.google/dns-query",
	"https://cloudflare-dns.com/dns-query",
	"tcp://portquiz.net:31337",
}
