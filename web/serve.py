"""Serve the built demo (web/dist/) on http://127.0.0.1:8000, this computer only.

Usage (after ``cd web && npm ci && npm run build``): ``python web/serve.py [--port 8000]``.
Python's own ``http.server`` with the MIME types the page needs: browsers refuse a JavaScript
module (``.mjs``) served as anything but JavaScript, and compile WebAssembly fastest when it
comes as ``application/wasm``.
"""

from __future__ import annotations

import argparse
import functools
import http.server
from pathlib import Path

DIST = Path(__file__).resolve().parent / "dist"
TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm"}


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files of ``directory`` with ``TYPES``; no request log on the terminal."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        """Log nothing: the page's requests would fill the terminal."""


def make_server(port: int = 8000, directory: Path = DIST) -> http.server.ThreadingHTTPServer:
    """Return a server of ``directory`` on 127.0.0.1:``port`` (0: any free port), not started."""
    if not (directory / "index.html").is_file():
        raise SystemExit(f"{directory} has no index.html: run 'npm ci && npm run build' in web/")
    handler = functools.partial(Handler, directory=str(directory))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    server = make_server(parser.parse_args().port)
    print(f"serving the demo on http://127.0.0.1:{server.server_port} (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
