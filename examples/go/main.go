// A minimal ISP ("relying party") in Go, using coreos/go-oidc and golang.org/x/oauth2 the way an
// ISP integrates "Log in with Cyberspace ID": authorization code flow with PKCE (S256), state
// and nonce; the ID token verified against the provider's JWKS (signature, iss, aud, exp, nonce);
// then userinfo. Built from Debian's packages, without module downloads:
//
//	apt-get install golang-go golang-github-coreos-go-oidc-dev golang-golang-x-oauth2-dev
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o isp-example ./examples/go
//	ISSUER=http://localhost:3000 CLIENT_ID=… CLIENT_SECRET=… ./isp-example
//
// Register the client first (npx cyberid client add --name "Example ISP" --redirect-uri
// http://127.0.0.1:4000/callback --json) and open http://127.0.0.1:4000/.
package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"

	oidc "github.com/coreos/go-oidc"
	"golang.org/x/oauth2"
)

// pending is what the ISP remembers between sending the browser away and its return.
type pending struct{ state, nonce, verifier string }

func random() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		log.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func main() {
	ctx := context.Background()
	issuer := env("ISSUER", "http://localhost:3000")
	redirectURI := env("REDIRECT_URI", "http://127.0.0.1:4000/callback")
	provider, err := oidc.NewProvider(ctx, issuer) // discovery; checks the issuer it names
	if err != nil {
		log.Fatal(err)
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInHeader // client_secret_basic, the registration default
	config := oauth2.Config{
		ClientID:     os.Getenv("CLIENT_ID"),
		ClientSecret: os.Getenv("CLIENT_SECRET"),
		Endpoint:     endpoint,
		RedirectURL:  redirectURI,
		Scopes:       strings.Fields(env("SCOPE", "openid")),
	}
	// Checks the signature (RS256 by default, keys from jwks_uri), iss, aud and exp.
	verifier := provider.Verifier(&oidc.Config{ClientID: config.ClientID})

	// Pending logins by a random cookie value, so each browser finishes only its own.
	var mu sync.Mutex
	logins := map[string]pending{}

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		login := pending{state: random(), nonce: random(), verifier: random()}
		key := random()
		mu.Lock()
		logins[key] = login
		mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "isp_login", Value: key, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		challenge := sha256.Sum256([]byte(login.verifier))
		http.Redirect(w, r, config.AuthCodeURL(login.state,
			oauth2.SetAuthURLParam("code_challenge", base64.RawURLEncoding.EncodeToString(challenge[:])), // PKCE is required
			oauth2.SetAuthURLParam("code_challenge_method", "S256"),
			oidc.Nonce(login.nonce),
		), http.StatusFound)
	})

	http.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		cookie, err := r.Cookie("isp_login")
		if err != nil {
			http.Error(w, "no login in progress", http.StatusBadRequest)
			return
		}
		mu.Lock()
		login, found := logins[cookie.Value]
		delete(logins, cookie.Value)
		mu.Unlock()
		query := r.URL.Query()
		if !found || query.Get("state") != login.state {
			http.Error(w, "state does not match", http.StatusBadRequest)
			return
		}
		if query.Get("iss") != issuer { // RFC 9207: the response names who sent it
			http.Error(w, "iss does not match", http.StatusBadRequest)
			return
		}
		if query.Get("error") != "" {
			http.Error(w, "sign-in refused: "+query.Get("error")+" "+query.Get("error_description"), http.StatusForbidden)
			return
		}
		token, err := config.Exchange(r.Context(), query.Get("code"), oauth2.SetAuthURLParam("code_verifier", login.verifier))
		if err != nil {
			http.Error(w, "token exchange failed: "+err.Error(), http.StatusBadGateway)
			return
		}
		rawIDToken, _ := token.Extra("id_token").(string)
		idToken, err := verifier.Verify(r.Context(), rawIDToken)
		if err != nil {
			http.Error(w, "ID token rejected: "+err.Error(), http.StatusBadGateway)
			return
		}
		if idToken.Nonce != login.nonce {
			http.Error(w, "ID token nonce does not match", http.StatusBadGateway)
			return
		}
		var idTokenClaims map[string]interface{}
		if err := idToken.Claims(&idTokenClaims); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		userInfo, err := provider.UserInfo(r.Context(), oauth2.StaticTokenSource(token))
		if err != nil {
			http.Error(w, "userinfo failed: "+err.Error(), http.StatusBadGateway)
			return
		}
		if userInfo.Subject != idToken.Subject { // OIDC Core §5.3.2
			http.Error(w, "userinfo is about someone else", http.StatusBadGateway)
			return
		}
		var userInfoClaims map[string]interface{}
		if err := userInfo.Claims(&userInfoClaims); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		// idToken.Subject is this ISP's pairwise cyberspace ID for the citizen: the account key.
		received, _ := json.MarshalIndent(map[string]interface{}{
			"sub":             idToken.Subject,
			"id_token_claims": idTokenClaims,
			"userinfo":        userInfoClaims,
		}, "", "  ")
		fmt.Println(string(received))
		w.Header().Set("content-type", "application/json")
		w.Write(received)
	})

	address, err := url.Parse(redirectURI)
	if err != nil {
		log.Fatal(err)
	}
	listener, err := net.Listen("tcp", address.Host)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("example ISP on http://%s/\n", address.Host)
	log.Fatal(http.Serve(listener, nil))
}
