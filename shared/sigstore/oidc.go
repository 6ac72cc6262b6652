package sigstore

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// TokenSource supplies the OIDC identity token a certificate authority
// certifies.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// StaticToken is a token obtained elsewhere.
type StaticToken string

// Token returns the token.
func (t StaticToken) Token(context.Context) (string, error) { return string(t), nil }

// ActionsToken fetches a GitHub Actions OIDC token, as
// actions/toolkit's core.getIDToken does: GET RequestURL with an audience
// parameter and "Authorization: bearer RequestToken". The runner sets both
// (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN) only
// for jobs with "permissions: id-token: write".
type ActionsToken struct {
	RequestURL   string
	RequestToken string
	// Audience is the token's aud claim; Sigstore's Fulcio expects
	// "sigstore".
	Audience string
	Client   *http.Client
	Retry    Retry
}

// ErrNoActionsToken is wrapped when the job cannot request a token.
var ErrNoActionsToken = fmt.Errorf("%w: no GitHub Actions OIDC token available", ErrService)

// Token requests the token.
func (a ActionsToken) Token(ctx context.Context) (string, error) {
	if a.RequestURL == "" || a.RequestToken == "" {
		return "", fmt.Errorf("%w: ACTIONS_ID_TOKEN_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_TOKEN is unset; give the job \"permissions: id-token: write\" (pull requests from forks never get one)", ErrNoActionsToken)
	}
	u, err := url.Parse(a.RequestURL)
	if err != nil {
		return "", fmt.Errorf("%w: ACTIONS_ID_TOKEN_REQUEST_URL %q: %v", ErrService, a.RequestURL, err)
	}
	if a.Audience != "" {
		q := u.Query()
		q.Set("audience", a.Audience)
		u.RawQuery = q.Encode()
	}
	body, err := a.Retry.Do(ctx, a.Client, "requesting the Actions OIDC token", func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "bearer "+a.RequestToken)
		req.Header.Set("Accept", "application/json")
		return req, nil
	})
	if err != nil {
		return "", err
	}
	var out struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Value == "" {
		return "", fmt.Errorf("%w: the Actions token endpoint answered without a token", ErrService)
	}
	return out.Value, nil
}
