package gate

import (
	"bytes"
	"io"
)

// redactor replaces secret values with "***" in everything written through
// it. GitHub masks values registered with add-mask in its own log, but a
// local run has no such filter, and defence in depth costs little.
type redactor struct {
	w       io.Writer
	secrets [][]byte
}

func newRedactor(w io.Writer, secrets []string) io.Writer {
	if len(secrets) == 0 {
		return w
	}
	r := &redactor{w: w}
	for _, s := range secrets {
		r.secrets = append(r.secrets, []byte(s))
	}
	return r
}

func (r *redactor) Write(p []byte) (int, error) {
	out := p
	for _, s := range r.secrets {
		out = bytes.ReplaceAll(out, s, []byte("***"))
	}
	if _, err := r.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
