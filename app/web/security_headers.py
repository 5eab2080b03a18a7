"""Security headers on every response, from one after-request hook.

- Content-Security-Policy: scripts, styles, images and fonts from this site only; the
  one inline script (GOV.UK Frontend's ``js-enabled`` line and the module that starts
  its components) carries a fresh nonce each request; no 'unsafe-inline'; no framing
  (``frame-ancestors 'none'``, and X-Frame-Options: DENY for older browsers).
- X-Content-Type-Options: nosniff; Referrer-Policy: same-origin (links to other sites do
  not carry our paths, which can name a case or a return).
- Strict-Transport-Security when ``HSTS_SECONDS`` is above 0.
- Cache-Control: no-store on everything but the static files: the pages and downloads
  behind sign-in (DHR cases, the full workbook, returns) must not stay in a browser's or
  a proxy's cache.
"""
import secrets

from flask import Flask, g, request


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def add_security_headers(response):
    from flask import current_app

    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    hsts = int(current_app.config.get("HSTS_SECONDS") or 0)
    if hsts > 0:
        headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
