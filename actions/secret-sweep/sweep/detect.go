package sweep

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
)

// decodeDepth is how many rounds of base64, hex and percent decoding the
// rule set looks through, gitleaks' own default.
const decodeDepth = 5

// hit is one secret found in one piece of text. It carries the value's
// digest, never the value.
type hit struct {
	rule        string // the gate's rule (RuleToken, RuleGiven, RuleCredential)
	kind        string // the format: a gitleaks rule id, or the gate's own
	description string
	prefix      string // the format's public prefix the value starts with, or ""
	verified    bool   // the format's checksum holds
	line, col   int    // 1-based; 0 when the text has no lines (an environment value)
	digest      [32]byte
}

// Detector finds secrets in text: gitleaks' rule set (with its keyword
// prefilter, entropy thresholds, allowlists and decoding), GitHub and npm
// token checksums on top, the gate's own rules for formats and places
// gitleaks has no rule for, and the caller's secret values by hash.
type Detector struct {
	gl    *detect.Detector
	known *knownSecrets
	// rules is the number of gitleaks rules loaded.
	rules int

	mu       sync.Mutex
	rejected int // matches dropped because their checksum failed
}

var (
	defaultConfig     config.Config
	defaultConfigErr  error
	defaultConfigOnce sync.Once
)

// gitleaksConfig parses gitleaks' default rule set once. Its logger is
// silenced: the gate prints only through shared/gate, and gitleaks' log
// lines can quote what they matched.
func gitleaksConfig() (config.Config, error) {
	defaultConfigOnce.Do(func() {
		logging.Logger = zerolog.Nop()
		v := viper.New()
		v.SetConfigType("toml")
		if err := v.ReadConfig(strings.NewReader(config.DefaultConfig)); err != nil {
			defaultConfigErr = fmt.Errorf("reading gitleaks' default rules: %w", err)
			return
		}
		var vc config.ViperConfig
		if err := v.Unmarshal(&vc); err != nil {
			defaultConfigErr = fmt.Errorf("reading gitleaks' default rules: %w", err)
			return
		}
		defaultConfig, defaultConfigErr = vc.Translate()
	})
	return defaultConfig, defaultConfigErr
}

// NewDetector builds a detector from gitleaks' default rules and the
// caller's secret values, one a line (empty for none).
func NewDetector(ctx context.Context, secrets string) (*Detector, error) {
	cfg, err := gitleaksConfig()
	if err != nil {
		return nil, err
	}
	known, err := newKnownSecrets(secrets)
	if err != nil {
		return nil, err
	}
	gl := detect.NewDetectorContext(ctx, cfg)
	gl.MaxDecodeDepth = decodeDepth
	return &Detector{gl: gl, known: known, rules: len(cfg.Rules)}, nil
}

// Rejected returns how many pattern matches were dropped because the
// token's checksum failed.
func (d *Detector) Rejected() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rejected
}

// The gate's own patterns, for what gitleaks' rules do not cover.
var (
	// dockerHubPAT is a Docker Hub personal access token.
	dockerHubPAT = regexp.MustCompile(`\bdckr_pat_[A-Za-z0-9_-]{27}\b`)
	// gcpServiceAccount is the private_key_id of a Google Cloud service
	// account key file; the private key beside it is gitleaks' private-key.
	gcpServiceAccount = regexp.MustCompile(`"private_key_id"\s*:\s*"([0-9a-f]{40})"`)
	// extraHeader is an HTTP header git sends with every request, where
	// actions/checkout persists the job's token (persist-credentials).
	extraHeader = regexp.MustCompile(`(?im)^\s*extraheader\s*=\s*"?authorization:\s*(basic|bearer)\s+([A-Za-z0-9+/=._~-]+)`)
	// credentialURL is a URL with a password, as ~/.git-credentials and
	// .netrc-less remotes hold them.
	credentialURL = regexp.MustCompile(`\bhttps?://[^\s:/@"']+:([^\s@/"']{8,})@[^\s/"']+`)
)

// Scan returns the secrets in text. path, when text is a file, lets
// gitleaks apply its path allowlists ("" for an environment or a command
// line).
func (d *Detector) Scan(ctx context.Context, text, path string) []hit {
	var out []hit
	for _, f := range d.gl.DetectContext(ctx, detect.Fragment{Raw: text, FilePath: path, StartLine: 1}) {
		state := verifyChecksum(f.Secret)
		if state == checksumInvalid {
			d.mu.Lock()
			d.rejected++
			d.mu.Unlock()
			continue
		}
		out = append(out, hit{
			rule: RuleToken, kind: f.RuleID, description: describe(f.RuleID),
			prefix: publicPrefix(f.Secret), verified: state == checksumValid,
			line: f.StartLine, col: f.StartColumn, digest: sha256.Sum256([]byte(f.Secret)),
		})
	}
	for _, m := range dockerHubPAT.FindAllStringIndex(text, -1) {
		out = append(out, d.own(text, m[0], m[1], RuleToken, "dockerhub-pat", "Docker Hub personal access token"))
	}
	for _, m := range gcpServiceAccount.FindAllStringSubmatchIndex(text, -1) {
		out = append(out, d.own(text, m[2], m[3], RuleToken, "gcp-service-account-key", "Google Cloud service account key"))
	}
	for _, m := range extraHeader.FindAllStringSubmatchIndex(text, -1) {
		h := d.own(text, m[4], m[5], RuleCredential, "git-extraheader", "git http extraheader with an Authorization "+strings.ToLower(text[m[2]:m[3]])+" credential")
		out = append(out, h)
		// A basic credential is base64 of "user:token": look inside for
		// the caller's values, which the rolling hash cannot see encoded.
		if strings.EqualFold(text[m[2]:m[3]], "basic") {
			if dec, err := base64.StdEncoding.DecodeString(text[m[4]:m[5]]); err == nil {
				for _, km := range d.known.find(string(dec)) {
					out = append(out, hit{rule: RuleGiven, kind: fmt.Sprintf("secret-%d", km.index),
						description: fmt.Sprintf("the value of secret %d (base64 in a basic credential)", km.index),
						line:        h.line, col: h.col, digest: km.digest})
				}
			}
		}
	}
	for _, m := range credentialURL.FindAllStringSubmatchIndex(text, -1) {
		out = append(out, d.own(text, m[2], m[3], RuleCredential, "url-password", "URL with a password"))
	}
	for _, km := range d.known.find(text) {
		line, col := position(text, km.offset)
		out = append(out, hit{rule: RuleGiven, kind: fmt.Sprintf("secret-%d", km.index),
			description: fmt.Sprintf("the value of secret %d", km.index), line: line, col: col, digest: km.digest})
	}
	return out
}

// own is a hit of one of the gate's own patterns at text[start:end].
func (d *Detector) own(text string, start, end int, rule, kind, description string) hit {
	line, col := position(text, start)
	v := text[start:end]
	return hit{rule: rule, kind: kind, description: description, prefix: publicPrefix(v), line: line, col: col, digest: sha256.Sum256([]byte(v))}
}

// position turns a byte offset into a 1-based line and column.
func position(text string, offset int) (int, int) {
	line := 1 + strings.Count(text[:offset], "\n")
	col := offset - strings.LastIndexByte(text[:offset], '\n')
	return line, col
}

// describe names a gitleaks rule for people: "github-pat" reads as
// "github pat", which is enough beside the rule id.
func describe(id string) string {
	if s, ok := descriptions[id]; ok {
		return s
	}
	return strings.ReplaceAll(id, "-", " ")
}

var descriptions = map[string]string{
	"github-pat":              "GitHub personal access token (classic)",
	"github-fine-grained-pat": "GitHub fine-grained personal access token",
	"github-oauth":            "GitHub OAuth access token",
	"github-app-token":        "GitHub App token",
	"github-refresh-token":    "GitHub refresh token",
	"aws-access-token":        "AWS access key id",
	"gcp-api-key":             "Google Cloud API key",
	"azure-ad-client-secret":  "Azure AD client secret",
	"npm-access-token":        "npm access token",
	"pypi-upload-token":       "PyPI upload token",
	"private-key":             "private key",
	"jwt":                     "JSON Web Token",
	"slack-bot-token":         "Slack bot token",
	"slack-user-token":        "Slack user token",
	"slack-webhook-url":       "Slack webhook URL",
	"generic-api-key":         "generic API key (by keyword and entropy)",
}
