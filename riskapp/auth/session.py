"""No session cookie for requests authenticated by an API token (Flask-Login's documented way)."""
from flask import g
from flask.sessions import SecureCookieSessionInterface


class TokenAwareSessionInterface(SecureCookieSessionInterface):
    def save_session(self, app, session, response):
        # A bearer token must not turn into a cookie session that outlives or escapes it.
        if g.get("login_via_token"):
            return
        return super().save_session(app, session, response)
