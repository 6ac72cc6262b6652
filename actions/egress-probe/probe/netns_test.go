package probe

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/runnersim"
)

// The addresses of the namespace's stand-in hosts: TEST-NET-1, which is
// never routed, put on the namespace's own loopback so that no packet
// leaves it.
const (
	allowedIP   = "192.0.2.10"
	forbiddenIP = "192.0.2.20"
	dnsIP       = "192.0.2.53"
)

// The names the namespace's DNS server answers; every other name is
// NXDOMAIN. pastebin.com resolves to the forbidden host, so the default
// paste-site probe is blocked by the firewall, not by DNS.
var zone = map[string]string{
	"allowed.test.":   allowedIP,
	"forbidden.test.": forbiddenIP,
	"pastebin.com.":   forbiddenIP,
}

// TestMain lets the test binary play the parts that run inside the
// namespace: the gate itself, and the listeners standing in for hosts.
func TestMain(m *testing.M) {
	switch os.Getenv("HUB_EGRESS_ROLE") {
	case "gate":
		os.Exit(gate.Main(Gate))
	case "hosts":
		os.Exit(serveHosts())
	}
	os.Exit(m.Run())
}

// serveHosts runs, inside the namespace, HTTPS on both hosts' port 443,
// HTTP on the allowed host's port 80 and DNS on dnsIP:53, then prints
// "ready" and serves until killed.
func serveHosts() int {
	cert, err := selfSigned()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	for _, a := range []string{allowedIP + ":443", forbiddenIP + ":443"} {
		ln, err := tls.Listen("tcp", a, &tls.Config{Certificates: []tls.Certificate{cert}})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		go http.Serve(ln, h)
	}
	ln, err := net.Listen("tcp", allowedIP+":80")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	go http.Serve(ln, h)
	pc, err := net.ListenPacket("udp", dnsIP+":53")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	go serveDNS(pc)
	fmt.Println("ready")
	select {}
}

// serveDNS answers A queries from zone, AAAA with no answer for known
// names, NXDOMAIN for the rest.
func serveDNS(pc net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		hdr, err := p.Start(buf[:n])
		if err != nil {
			continue
		}
		q, err := p.Question()
		if err != nil {
			continue
		}
		resp := dnsmessage.Message{Header: dnsmessage.Header{ID: hdr.ID, Response: true, Authoritative: true, RCode: dnsmessage.RCodeNameError}, Questions: []dnsmessage.Question{q}}
		if ip, ok := zone[strings.ToLower(q.Name.String())]; ok {
			resp.Header.RCode = dnsmessage.RCodeSuccess
			if q.Type == dnsmessage.TypeA {
				var a [4]byte
				copy(a[:], net.ParseIP(ip).To4())
				resp.Answers = []dnsmessage.Resource{{Header: dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60}, Body: &dnsmessage.AResource{A: a}}}
			}
		}
		out, err := resp.Pack()
		if err == nil {
			pc.WriteTo(out, addr)
		}
	}
}

func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "stand-in"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"allowed.test", "forbidden.test", "pastebin.com"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// netns is a network namespace made for one test, with only a loopback
// interface: nothing in it can reach the machine's network.
type netns struct {
	t    *testing.T
	name string
}

// requireNetns makes a namespace, or skips when this machine cannot
// (not root, no ip or nft); HUB_REQUIRE_NETNS=1 (set by .ci/run) turns
// the skip into a failure.
func requireNetns(t *testing.T) *netns {
	t.Helper()
	skip := func(why string) *netns {
		if os.Getenv("HUB_REQUIRE_NETNS") == "1" {
			t.Fatalf("network namespace tests cannot run: %s (HUB_REQUIRE_NETNS=1)", why)
		}
		t.Skipf("network namespace tests skipped: %s", why)
		return nil
	}
	if os.Geteuid() != 0 {
		return skip("not root")
	}
	for _, tool := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			return skip(tool + " not found (apt-get install iproute2 nftables)")
		}
	}
	var b [4]byte
	rand.Read(b[:])
	ns := &netns{t: t, name: fmt.Sprintf("hub-egress-%x", b)}
	if out, err := exec.Command("ip", "netns", "add", ns.name).CombinedOutput(); err != nil {
		return skip(fmt.Sprintf("ip netns add: %v: %s", err, out))
	}
	t.Cleanup(func() {
		exec.Command("ip", "netns", "del", ns.name).Run()
		os.RemoveAll(filepath.Join("/etc/netns", ns.name))
	})
	ns.ip("link", "set", "lo", "up")
	for _, a := range []string{allowedIP, forbiddenIP, dnsIP} {
		ns.ip("addr", "add", a+"/32", "dev", "lo")
	}
	// ip netns exec binds /etc/netns/<name>/* over /etc: the namespace's
	// resolver is its own DNS server.
	dir := filepath.Join("/etc/netns", ns.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"resolv.conf": "nameserver " + dnsIP + "\noptions timeout:1 attempts:1\n", "hosts": "127.0.0.1 localhost\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ns
}

func (ns *netns) ip(args ...string) {
	ns.t.Helper()
	if out, err := exec.Command("ip", append([]string{"-n", ns.name}, args...)...).CombinedOutput(); err != nil {
		ns.t.Fatalf("ip %v: %v: %s", args, err, out)
	}
}

// policy loads an nftables ruleset into the namespace, replacing the last.
func (ns *netns) policy(rules string) {
	ns.t.Helper()
	exec.Command("ip", "netns", "exec", ns.name, "nft", "delete", "table", "inet", "egress").Run()
	cmd := exec.Command("ip", "netns", "exec", ns.name, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		ns.t.Fatalf("nft: %v: %s\n%s", err, out, rules)
	}
}

// hosts starts the stand-in hosts in the namespace.
func (ns *netns) hosts() {
	ns.t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns.name, os.Args[0])
	cmd.Env = append(os.Environ(), "HUB_EGRESS_ROLE=hosts")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		ns.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		ns.t.Fatal(err)
	}
	ns.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		ns.t.Fatalf("stand-in hosts did not start: %q", line)
	}
}

// gateRun is one run of the gate inside the namespace.
type gateRun struct {
	exit    int
	stdout  string
	outputs map[string]string
	results []Result
}

// run runs the gate inside the namespace as the runner would, with flags.
func (ns *netns) run(flags ...string) gateRun {
	ns.t.Helper()
	ws := ns.t.TempDir()
	fc := filepath.Join(ws, ".fc")
	os.MkdirAll(fc, 0o755)
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns.name, os.Args[0]}, flags...)...)
	cmd.Dir = ws
	cmd.Env = append(os.Environ(), "HUB_EGRESS_ROLE=gate", "GITHUB_ACTIONS=true", "GITHUB_WORKSPACE="+ws,
		"GITHUB_OUTPUT="+filepath.Join(fc, "output"), "GITHUB_STEP_SUMMARY="+filepath.Join(fc, "summary"),
		"INPUT_EVIDENCE-DIR=evidence")
	for k, v := range gate.RunnerInputs(&Gate.Spec) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	r := gateRun{stdout: string(out)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.exit = ee.ExitCode()
	} else if err != nil {
		ns.t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(fc, "output"))
	if r.outputs, err = runnersim.OutputMap(string(b)); err != nil {
		ns.t.Fatalf("GITHUB_OUTPUT: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(ws, "evidence", "egress-probe-*.json"))
	if len(matches) == 1 {
		eb, err := os.ReadFile(matches[0])
		if err != nil {
			ns.t.Fatal(err)
		}
		var ev struct {
			Facts []Result `json:"facts"`
		}
		if err := json.Unmarshal(eb, &ev); err != nil {
			ns.t.Fatal(err)
		}
		r.results = ev.Facts
	}
	return r
}

// find returns the result for the destination text.
func (r gateRun) find(t *testing.T, text string) Result {
	t.Helper()
	for _, x := range r.results {
		if x.Text == text {
			return x
		}
	}
	t.Fatalf("no result for %s in the evidence:\n%s", text, r.stdout)
	return Result{}
}

// The default-deny policy of the namespace: loopback, DNS to the
// namespace's resolver, and the allowed host's web ports; everything else
// is dropped.
const defaultDeny = `table inet egress {
	chain output {
		type filter hook output priority 0; policy drop;
		ct state established,related accept
		ip daddr 127.0.0.0/8 accept
		ip daddr ` + dnsIP + ` udp dport 53 accept
		ip daddr ` + allowedIP + ` tcp dport { 80, 443 } accept
	}
}
`

// A namespace whose firewall is default-deny with an allowlist: the
// allowed host answers over https, http and plain tcp; the forbidden host
// (listening) is blocked at TCP, by name and by address; the default
// probes are blocked at the layer where this network stops them (no
// route for the IP literal and the metadata address, NXDOMAIN for the
// DoH hosts, the firewall for the paste site). Its twins: the firewall
// opened to the forbidden host, which then leaks (exit 1), and closed to
// the allowed one, which is then unreachable (exit 1).
func TestEgressInNamespace(t *testing.T) {
	ns := requireNetns(t)
	ns.policy(defaultDeny)
	ns.hosts()
	flags := []string{
		"--allow=https://allowed.test/health,http://allowed.test/,tcp://" + allowedIP + ":443",
		"--deny=https://forbidden.test/,tcp://" + forbiddenIP + ":443",
		"--timeout=1s",
	}
	r := ns.run(flags...)
	if r.exit != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.exit, r.stdout)
	}
	for k, v := range map[string]string{"verdict": "passed", "reachable": "3", "leaks": "0", "blocked": "8"} {
		if r.outputs[k] != v {
			t.Errorf("output %s = %q, want %q", k, r.outputs[k], v)
		}
	}
	if got := r.find(t, "https://allowed.test/health"); !got.Reached || got.Status != 200 || strings.Join(got.Layers, ",") != "dns,tcp,tls,http" {
		t.Errorf("allowed https: %+v", got)
	}
	for dest, layer := range map[string]string{
		"https://forbidden.test/":                  LayerTCP,
		"tcp://" + forbiddenIP + ":443":            LayerTCP,
		"https://1.1.1.1/":                         LayerTCP,
		"http://169.254.169.254/latest/meta-data/": LayerTCP,
		"https://dns.google/dns-query":             LayerDNS,
		"https://pastebin.com/":                    LayerTCP,
	} {
		if got := r.find(t, dest); got.Reached || got.BlockedAt != layer {
			t.Errorf("%s: blocked at %q (%s), want %q", dest, got.BlockedAt, got.Error, layer)
		}
	}

	// Tampered twin: the firewall lets the forbidden host through.
	ns.policy(strings.Replace(defaultDeny, "ip daddr "+allowedIP, "ip daddr { "+allowedIP+", "+forbiddenIP+" }", 1))
	r = ns.run(flags...)
	if r.exit != 1 {
		t.Fatalf("forbidden host open: exit %d, want 1\n%s", r.exit, r.stdout)
	}
	if !strings.Contains(r.stdout, "https://forbidden.test/ must be blocked and was reached (dns, tcp, tls, http) [egress-not-blocked]") {
		t.Errorf("no egress-not-blocked finding for the forbidden host:\n%s", r.stdout)
	}
	if got := r.find(t, "https://pastebin.com/"); !got.Reached {
		t.Errorf("the paste-site probe (resolving to the opened host) was not reached: %+v", got)
	}

	// And the allowed host closed.
	ns.policy(strings.Replace(defaultDeny, "ip daddr "+allowedIP+" tcp dport { 80, 443 } accept", "", 1))
	r = ns.run(flags...)
	if r.exit != 1 {
		t.Fatalf("allowed host closed: exit %d, want 1\n%s", r.exit, r.stdout)
	}
	if !strings.Contains(r.stdout, "https://allowed.test/health is allowed and was blocked at tcp: timeout [allowed-unreachable]") {
		t.Errorf("no allowed-unreachable finding:\n%s", r.stdout)
	}
}
