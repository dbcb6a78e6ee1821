"""The machine's floor: a bare WSGI app on waitress, with the thread count `oohdesk serve` uses.

It responds to every request at once with a small JSON body; given ``--forward``,
it first posts one Pushover-shaped form to that URL, as a page does, so the
time from its request to the fake provider is the least two loopback hops can
take on this machine. Run by the benchmarks; it listens on 127.0.0.1 only.
"""

import argparse
import json

import httpx
from waitress import serve


def application_for(forward_to: str | None):
    client = httpx.Client(timeout=10) if forward_to else None

    def application(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"].read(length)
        if client and environ["REQUEST_METHOD"] == "POST":
            client.post(f"{forward_to}/1/messages.json", data={"token": "floor", "user": "floor", "message": "floor"})
        body = json.dumps({"ref": "OOH-FLOOR0"}).encode()
        start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return application


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--forward", help="Base URL of a fake provider to post to before responding.")
    parser.add_argument("--threads", type=int, default=8)
    options = parser.parse_args()
    serve(application_for(options.forward), host="127.0.0.1", port=options.port, threads=options.threads, ident="floor")


if __name__ == "__main__":
    main()
