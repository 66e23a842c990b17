"""The container test's visits (run.sh), as a person and a sender would make them, standard library only.

    python3 tests/container/smoke.py webhook BASE_URL USERNAME PASSWORD CHANNEL_SLUG SECRET
        sign in as an advocate, post a signed webhook, and find its ticket on the queue page
    python3 tests/container/smoke.py story-send BASE_URL USERNAME PASSWORD STORY_ID
        sign in, open the story's page and press "Send the ticked replies" with its drafts as the page proposes
        them (the demo's release story: stories.answer_send then posts each on the sends queue)

The stack runs with production settings behind an imagined TLS proxy (BEHIND_TLS_PROXY), so each request says
X-Forwarded-Proto: https; cookies are kept by hand because they are Secure and the request itself is plain HTTP.
The signature is the one docs/platforms/webhook.md documents (intake.services.webhooks.signature_for); the story's
form is the one templates/stories/_drafts.html renders, read as a browser submits it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser


class Visitor:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.origin = "https://" + urllib.parse.urlsplit(base_url).netloc
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None):
        # The base URL is run.sh's own http://127.0.0.1:<port>, never a file: or custom scheme.
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers or {})  # noqa: S310
        request.add_header("X-Forwarded-Proto", "https")
        request.add_header("Referer", self.origin + path)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx: read them the same way
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, response.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # each redirect is checked by the caller
        return None


def signed_in(base_url: str, username: str, password: str) -> Visitor:
    visitor = Visitor(base_url)
    status, _, page = visitor.request("/accounts/login/")
    assert status == 200, (status, page[:500])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "login": username, "password": password})
    status, headers, page = visitor.request(
        "/accounts/login/", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 302, f"sign-in answered {status}: {page[:800]}"
    print(f"signed in as {username} (302 to {headers['Location']})")
    return visitor


def webhook(base_url: str, username: str, password: str, slug: str, secret: str) -> None:
    visitor = signed_in(base_url, username, password)
    text = f"Container test {int(time.time())}: does the desk run in a container?"
    body = json.dumps(
        {
            "id": f"container-{time.time_ns()}",
            "url": "https://example.com/posts/1",
            "author": {"name": "Dana Container", "handle": "dana.container"},
            "text": text,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    ).encode()
    timestamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    status, _, answer = Visitor(base_url).request(
        f"/hooks/{slug}/",
        body,
        {
            "Content-Type": "application/json",
            "X-Desk-Timestamp": timestamp,
            "X-Desk-Signature": f"sha256={signature}",
        },
    )
    assert status == 201, f"webhook answered {status}: {answer[:800]}"
    ticket = json.loads(answer)["ticket"]
    print(f"signed webhook: 201 {answer}")

    # The queue (/) shows the views and their counts; its list of tickets is /tickets/.
    status, _, page = visitor.request("/")
    assert status == 200 and 'data-testid="queue-snoozed"' in page, f"the queue answered {status}"
    status, _, page = visitor.request("/tickets/")
    assert status == 200, f"the ticket list answered {status}"
    assert f"/tickets/{ticket}/" in page, f"ticket {ticket} is not in the queue's ticket list"
    status, _, page = visitor.request(f"/tickets/{ticket}/")
    assert status == 200 and text in page, f"ticket {ticket}'s page ({status}) does not show the mention"
    print(f"ticket {ticket} is in the queue's list, and its page shows the mention")


class DraftsForm(HTMLParser):
    """The drafts form of a story's page: what a browser submits when Send is pressed (checked boxes, textareas)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.inside = found.get("action") == self.action
        elif self.inside and tag == "input" and found.get("name"):
            if found.get("type") != "checkbox" or "checked" in found:
                self.fields.append((found["name"] or "", found.get("value") or ""))
        elif self.inside and tag == "textarea":
            self.textarea = found.get("name")
            self.fields.append((self.textarea or "", ""))

    def handle_data(self, data: str) -> None:
        if self.textarea:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def story_send(base_url: str, username: str, password: str, story: str) -> None:
    visitor = signed_in(base_url, username, password)
    status, _, page = visitor.request(f"/stories/{story}/")
    assert status == 200, f"the story's page answered {status}"
    form = DraftsForm(f"/stories/{story}/send/")
    form.feed(page)
    ticked = [value for name, value in form.fields if name == "include"]
    assert ticked, "the story's page offers no ticked draft to send"
    status, headers, answer = visitor.request(
        f"/stories/{story}/send/",
        urllib.parse.urlencode(form.fields).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 302, f"Send answered {status}: {answer[:800]}"
    status, _, page = visitor.request(headers["Location"].split("#")[0])
    said = re.search(r"\d+ repl(?:y|ies) on the way\.", page)
    assert status == 200 and said, f"the story's page ({status}) does not say the replies are on the way"
    print(f"story {story}: {len(ticked)} ticked drafts sent from its page; it says: {said.group(0)}")


if __name__ == "__main__":
    if sys.argv[1] == "webhook":
        webhook(*sys.argv[2:7])
    else:
        story_send(*sys.argv[2:6])
