"""Our docs as the container test's knowledge source: a sitemap (sitemaps.org protocol) and two HTML pages,
served by the standard library on the worker container's own 127.0.0.1 (run.sh starts it with `podman exec -d`),
so the worker's docs index (answers.docs_index, on the knowledge queue) fetches them inside the containers. The
demo network (DESK_DEMO_REPLAY) lets this machine's addresses through and refuses every other host.

    python tests/container/docs_server.py PORT
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGES = {
    "/runners": ("Runners", "A runner keeps a local cache of dependencies between jobs."),
    "/caching": ("Caching", "Keep dependencies between jobs with the cache keyword in your pipeline."),
}


class Docs(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        base = f"http://{self.headers['Host']}"
        if self.path == "/":
            urls = "".join(f"<url><loc>{base}{path}</loc></url>" for path in PAGES)
            self._answer(
                "application/xml", f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            )
        elif self.path in PAGES:
            title, text = PAGES[self.path]
            self._answer(
                "text/html; charset=utf-8",
                f"<html><head><title>{title}</title></head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>",
            )
        else:
            self.send_error(404)

    def _answer(self, kind: str, body: str) -> None:
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Docs).serve_forever()
