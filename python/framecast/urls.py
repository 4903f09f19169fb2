"""Producer URLs: the tokens put in the query, and taken out of logs."""

from __future__ import annotations

from typing import Iterable, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def ingest_url(url: str, publish_token: str, view_token: Optional[str] = None) -> str:
    """Return url with the publish token as ``token`` and the view token as
    ``view`` in its query, keeping its other parameters.

    ``http``/``https`` are taken as ``ws``/``wss``.
    """
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss"):
        raise ValueError(f"url must be ws:// or wss:// (a relay's or a server's /ingest/<name>), not {parts.scheme}://")
    if not parts.path.startswith("/ingest/") or parts.path == "/ingest/":
        raise ValueError("url must end in /ingest/<stream name>, e.g. ws://host:8188/ingest/cam")
    if not publish_token:
        raise ValueError("publish_token is required")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k != "token" and not (k == "view" and view_token is not None)]
    query.append(("token", publish_token))
    if view_token is not None:
        query.append(("view", view_token))
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(query), ""))


def redact(url: str) -> str:
    """Return url without its query (where the tokens are), for logs."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "…" if parts.query else "", ""))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Return text with every secret in it replaced by ``…``: an error's
    words may quote a URL, and a token must never reach a log."""
    for s in secrets:
        if s:
            text = text.replace(s, "…")
    return text
