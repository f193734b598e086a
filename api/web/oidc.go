package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"
	"golang.org/x/oauth2"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

// OIDCConfig names the identity provider and this server's registration with it.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL; its discovery document is read at startup.
	Issuer string
	// ClientID is this server's client id; ID tokens must be issued to it (aud).
	ClientID string
	// RedirectURL is where the provider sends the browser back, registered with it; default the
	// public URL + CallbackPath. It must reach this server's CallbackPath.
	RedirectURL string
	// ClientSecret authenticates the code exchange; empty for a public client, which PKCE protects.
	ClientSecret string
	// Scopes requested; default openid, email and profile. openid is always requested.
	Scopes []string
	// RolesClaim names the claim with platform roles, default "roles", as for bearer tokens.
	RolesClaim string
}

// flowTTL bounds how long a sign-in may take at the provider: long enough to type a password
// and pass a second factor, short enough that a stolen flow cookie is soon useless.
const flowTTL = 10 * time.Minute

// oidcSignIn is the authorization-code flow with one provider.
type oidcSignIn struct {
	provider   *oidc.Provider
	idTokens   *oidc.IDTokenVerifier
	oauth      oauth2.Config
	client     *http.Client
	rolesClaim string
	flows      *securecookie.SecureCookie
	flowName   string
}

// flow is what the sign-in remembers between sending the browser to the provider and its return,
// in a short-lived cookie bound to that browser: the state (against a forged callback), the nonce
// (against a replayed ID token), the PKCE verifier (against a stolen code) and where to go after.
type flow struct {
	State     string `json:"state"`
	Nonce     string `json:"nonce"`
	Verifier  string `json:"verifier"`
	Next      string `json:"next"`
	ExpiresAt int64  `json:"exp"`
}

// errEmailNotVerified is a sign-in the provider vouches for but whose email it does not: the email is
// the identity everywhere, so an unverified one could claim somebody else's accounts.
var errEmailNotVerified = errors.New("web: the provider has not verified the email address")

func newOIDCSignIn(ctx context.Context, cfg Config, sessions *Sessions) (*oidcSignIn, error) {
	oc := cfg.OIDC
	if oc.Issuer == "" || oc.ClientID == "" {
		return nil, errors.New("web: OIDC needs an issuer and a client id")
	}
	redirect := oc.RedirectURL
	if redirect == "" {
		redirect = strings.TrimRight(cfg.PublicURL, "/") + CallbackPath
	}
	if u, err := url.Parse(redirect); err != nil || u.Path != CallbackPath ||
		(u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("web: OIDC redirect URL %q is not an http(s) URL ending in %s", redirect, CallbackPath)
	}
	provider, client, err := auth.DiscoverOIDC(ctx, oc.Issuer)
	if err != nil {
		return nil, fmt.Errorf("web: oidc discovery for %q: %w", oc.Issuer, err)
	}
	scopes := oc.Scopes
	if len(scopes) == 0 {
		scopes = []string{"email", "profile"}
	}
	if !slices.Contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	}
	flows, err := newCodec(cfg.SessionKey, "signin", flowTTL)
	if err != nil {
		return nil, err
	}
	return &oidcSignIn{
		provider: provider,
		idTokens: provider.Verifier(&oidc.Config{ClientID: oc.ClientID}),
		oauth: oauth2.Config{
			ClientID:     oc.ClientID,
			ClientSecret: oc.ClientSecret,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  redirect,
			Scopes:       scopes,
		},
		client:     client,
		rolesClaim: oc.RolesClaim,
		flows:      flows,
		flowName:   cookieName("clc_signin", sessions.secure),
	}, nil
}

// login sends the browser to the provider, remembering the flow in a cookie.
func (s *SignIn) login(c *gin.Context) {
	o := s.oidc
	f := flow{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(),
		Next: localPath(c.Query("next")), ExpiresAt: s.sessions.now().Add(flowTTL).Unix()}
	v, err := o.flows.Encode(o.flowName, f)
	if err != nil {
		s.log.ErrorContext(c.Request.Context(), "encode sign-in flow", "error", err)
		fail(c, s.log, http.StatusInternalServerError, &models.Error{Code: models.CodeInternal,
			Message: "Signing in could not start; it was logged. Try again in a moment."})
		return
	}
	http.SetCookie(c.Writer, s.sessions.attrs(&http.Cookie{Name: o.flowName, Value: v, MaxAge: int(flowTTL.Seconds())}))
	c.Header("Cache-Control", "no-store")
	to := o.oauth.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	c.Redirect(http.StatusSeeOther, to)
}

// callback finishes the flow the provider sends the browser back with.
func (s *SignIn) callback(c *gin.Context) {
	o := s.oidc
	ctx := c.Request.Context()
	c.Header("Referrer-Policy", "no-referrer") // the URL carries the code
	f, err := s.takeFlow(c)
	if err == nil && subtle.ConstantTimeCompare([]byte(f.State), []byte(c.Query("state"))) != 1 {
		err = errors.New("state does not match")
	}
	if err != nil {
		s.log.WarnContext(ctx, "sign-in callback refused", "error", err)
		fail(c, s.log, http.StatusBadRequest, &models.Error{Code: models.CodeInvalid, Field: "state",
			Message: "This sign-in expired or was started in another window. Open the page you wanted and sign in again."})
		return
	}
	if e := c.Query("error"); e != "" {
		s.log.InfoContext(ctx, "provider did not sign in", "error", e, "description", c.Query("error_description"))
		fail(c, s.log, http.StatusUnauthorized, &models.Error{Code: models.CodeUnauthenticated,
			Message: "The identity provider did not sign you in (" + e + ")."})
		return
	}
	id, err := o.identity(oidc.ClientContext(ctx, o.client), c.Query("code"), f)
	if errors.Is(err, errEmailNotVerified) {
		s.log.WarnContext(ctx, "sign-in refused", "error", err)
		fail(c, s.log, http.StatusForbidden, &models.Error{Code: models.CodeForbidden,
			Message: "Your identity provider has not verified your email address, so you cannot sign in with it yet. " +
				"Verify it there, then sign in again."})
		return
	}
	if err != nil {
		s.log.WarnContext(ctx, "sign-in refused", "error", err)
		fail(c, s.log, http.StatusUnauthorized, &models.Error{Code: models.CodeUnauthenticated,
			Message: "The identity provider's answer could not be verified. Sign in again."})
		return
	}
	s.signIn(c, id, "oidc", f.Next)
}

// takeFlow reads the flow cookie and removes it, so each flow completes at most once.
func (s *SignIn) takeFlow(c *gin.Context) (flow, error) {
	o := s.oidc
	ck, err := c.Request.Cookie(o.flowName)
	if err != nil {
		return flow{}, errors.New("no sign-in flow cookie")
	}
	http.SetCookie(c.Writer, s.sessions.attrs(&http.Cookie{Name: o.flowName, Value: "", MaxAge: -1}))
	var f flow
	if err := o.flows.Decode(o.flowName, ck.Value, &f); err != nil {
		return flow{}, fmt.Errorf("sign-in flow cookie: %w", err)
	}
	if s.sessions.now().Unix() >= f.ExpiresAt {
		return flow{}, errors.New("sign-in flow expired")
	}
	return f, nil
}

// identity exchanges the code and turns the verified ID token into an Identity. The provider's
// signature, issuer, audience (our client id) and expiry are checked by go-oidc, the nonce here.
func (o *oidcSignIn) identity(ctx context.Context, code string, f flow) (auth.Identity, error) {
	if code == "" {
		return auth.Identity{}, errors.New("callback without a code")
	}
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return auth.Identity{}, fmt.Errorf("exchange code: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return auth.Identity{}, errors.New("token response without an id_token")
	}
	idt, err := o.idTokens.Verify(ctx, raw)
	if err != nil {
		return auth.Identity{}, fmt.Errorf("verify id token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return auth.Identity{}, errors.New("id token nonce does not match")
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return auth.Identity{}, fmt.Errorf("access token: %w", err)
		}
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return auth.Identity{}, fmt.Errorf("id token claims: %w", err)
	}
	if _, ok := claims["email"]; !ok {
		// Providers may keep profile claims out of the ID token when they issue an access token
		// (OIDC Core 5.4); the UserInfo endpoint has them then.
		if err := o.addUserInfo(ctx, tok, idt.Subject, claims); err != nil {
			return auth.Identity{}, err
		}
	}
	if !auth.EmailVerified(claims) {
		return auth.Identity{}, fmt.Errorf("%w: %v (email_verified %v)", errEmailNotVerified, claims["email"],
			claims["email_verified"])
	}
	id, err := auth.IdentityFromClaims(claims, o.rolesClaim)
	if err != nil {
		return auth.Identity{}, fmt.Errorf("id token of %s: %w", idt.Subject, err)
	}
	return id, nil
}

// addUserInfo adds the UserInfo claims the ID token lacks; those it has stay as signed.
func (o *oidcSignIn) addUserInfo(ctx context.Context, tok *oauth2.Token, subject string, claims map[string]any) error {
	info, err := o.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return fmt.Errorf("userinfo: %w", err)
	}
	// UserInfo is not signed; only its subject matching the ID token's ties it to this sign-in.
	if info.Subject != subject {
		return fmt.Errorf("userinfo is about %q, the id token about %q", info.Subject, subject)
	}
	extra := map[string]any{}
	if err := info.Claims(&extra); err != nil {
		return fmt.Errorf("userinfo claims: %w", err)
	}
	for k, v := range extra {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}
