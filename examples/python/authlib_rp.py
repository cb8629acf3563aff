"""A minimal ISP ("relying party") in Python, using Authlib the way an ISP integrates
"Log in with Cyberspace ID": authorization code flow with PKCE (S256), state and nonce; the ID
token verified against the provider's JWKS (signature, iss, aud, exp, nonce); then userinfo.

With Debian's packages (apt-get install python3-authlib python3-requests):

    npx cyberid client add --name "Example ISP" --redirect-uri http://127.0.0.1:4000/callback --json
    ISSUER=http://localhost:3000 CLIENT_ID=… CLIENT_SECRET=… /usr/bin/python3 examples/python/authlib_rp.py

and open http://127.0.0.1:4000/.
"""
import json
import os
import secrets
import threading
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import CodeIDToken

ISSUER = os.environ.get("ISSUER", "http://localhost:3000")
REDIRECT_URI = os.environ.get("REDIRECT_URI", "http://127.0.0.1:4000/callback")
CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]
SCOPE = os.environ.get("SCOPE", "openid")
if ISSUER.startswith("http:"):
    # Only because the development provider runs on plain http; never in production.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

metadata = requests.get(f"{ISSUER}/.well-known/openid-configuration", timeout=10).json()
if metadata["issuer"] != ISSUER:  # OIDC Discovery §4.3
    raise SystemExit(f"discovery names issuer {metadata['issuer']}, expected {ISSUER}")

# Pending logins by a random cookie value, so each browser finishes only its own.
pending = {}
pending_lock = threading.Lock()


def new_session():
    return OAuth2Session(
        CLIENT_ID,
        CLIENT_SECRET,
        token_endpoint_auth_method="client_secret_basic",  # the registration default
        scope=SCOPE,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",  # PKCE is required
    )


def verify_id_token(token, nonce):
    """Checks the signature against jwks_uri (RS256 unless the client registered another), iss, aud, exp and nonce."""
    keys = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    algorithms = metadata.get("id_token_signing_alg_values_supported", ["RS256"])
    claims = JsonWebToken(algorithms).decode(
        token["id_token"],
        key=lambda header, _payload: keys.find_by_kid(header.get("kid")),
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": ISSUER}, "aud": {"essential": True, "value": CLIENT_ID}},
        claims_params={"nonce": nonce, "client_id": CLIENT_ID, "access_token": token["access_token"]},
    )
    claims.validate(leeway=60)
    return dict(claims)


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body, content_type="text/plain; charset=utf-8", headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/":
            self.start_login()
        elif url.path == "/callback":
            self.finish_login({k: v[0] for k, v in parse_qs(url.query).items()})
        else:
            self.reply(404, "not found\n")

    def start_login(self):
        login = {"state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32), "verifier": secrets.token_urlsafe(48)}
        key = secrets.token_urlsafe(32)
        with pending_lock:
            pending[key] = login
        url, _state = new_session().create_authorization_url(
            metadata["authorization_endpoint"], state=login["state"], code_verifier=login["verifier"], nonce=login["nonce"]
        )
        self.reply(302, "", headers=[("location", url), ("set-cookie", f"isp_login={key}; Path=/; HttpOnly; SameSite=Lax")])

    def finish_login(self, query):
        cookie = SimpleCookie(self.headers.get("cookie", "")).get("isp_login")
        with pending_lock:
            login = pending.pop(cookie.value, None) if cookie else None
        if not login or query.get("state") != login["state"]:
            return self.reply(400, "state does not match\n")
        if query.get("iss") != ISSUER:  # RFC 9207: the response names who sent it
            return self.reply(400, "iss does not match\n")
        if "error" in query:
            return self.reply(403, f"sign-in refused: {query['error']} {query.get('error_description', '')}\n")
        try:
            session = new_session()
            token = session.fetch_token(metadata["token_endpoint"], code=query["code"], code_verifier=login["verifier"])
            id_token_claims = verify_id_token(token, login["nonce"])
            userinfo = session.get(metadata["userinfo_endpoint"], timeout=10).json()
        except Exception as error:  # an example shows the reason; a real ISP logs it
            return self.reply(502, f"sign-in failed: {error}\n")
        if userinfo.get("sub") != id_token_claims["sub"]:  # OIDC Core §5.3.2
            return self.reply(502, "userinfo is about someone else\n")
        # id_token_claims["sub"] is this ISP's pairwise cyberspace ID for the citizen: the account key.
        received = json.dumps({"sub": id_token_claims["sub"], "id_token_claims": id_token_claims, "userinfo": userinfo}, indent=2)
        print(received, flush=True)
        self.reply(200, received, content_type="application/json")

    def log_message(self, *args):
        pass  # no access log: the query string carries codes


address = urlsplit(REDIRECT_URI)
server = ThreadingHTTPServer((address.hostname, address.port), Handler)
print(f"example ISP on http://{address.netloc}/", flush=True)
server.serve_forever()
