"""Calls to providers' HTTP APIs with a timeout and errors mapped to SendError.

Every call has a timeout (OOHDESK_PROVIDER_TIMEOUT_SECONDS), shorter than the
engine's lease, so a hanging provider holds one worker for at most that long
and its attempt is never claimed again while the first send is still waiting.
A failure before the request left (no connection) is worth a retry. A failure
after it left (no response in time, a dropped connection) has an unknown outcome.
"""

import functools
import logging
import ssl

import httpx
from django.conf import settings

from oohdesk.paging.channels.base import SendError

logger = logging.getLogger(__name__)

# Failures raised before any byte of the request reached the provider.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Return the one TLS context every provider call shares.

    Loading the CA certificates takes about 20 ms of CPU, several times the
    rest of a call, so it happens once per process. The context is safe to
    share between threads.
    """
    return httpx.create_ssl_context()


def provider_timeout() -> httpx.Timeout:
    # NOTE: httpx applies the timeout to each connect, write and read, not to the
    # whole exchange, so a provider trickling bytes could hold a call longer.
    return httpx.Timeout(settings.OOHDESK_PROVIDER_TIMEOUT_SECONDS)


def request(method: str, url: str, provider: str, **kwargs) -> httpx.Response:
    """Send one request to ``provider`` on a new connection and return its response, whatever its status.

    A new connection each time means a send never lands on a kept-alive
    connection the provider has just closed, which would leave its outcome unknown.

    Raises SendError: transient when the request never left, unknown_outcome
    when it left and no complete response came back.
    """
    try:
        with httpx.Client(timeout=provider_timeout(), follow_redirects=False, verify=tls_context()) as client:
            return client.request(method, url, **kwargs)
    except NOT_SENT as error:
        raise SendError(f"Could not reach {provider}: {_describe(error)}", permanent=False) from error
    except httpx.TimeoutException as error:
        raise SendError(
            f"{provider} did not respond within {settings.OOHDESK_PROVIDER_TIMEOUT_SECONDS:g} s after the request was sent; "
            "it may have been delivered",
            permanent=False,
            unknown_outcome=True,
        ) from error
    except httpx.TransportError as error:
        raise SendError(
            f"The connection to {provider} failed after the request was sent ({_describe(error)}); it may have been delivered",
            permanent=False,
            unknown_outcome=True,
        ) from error


def _describe(error: Exception) -> str:
    return str(error) or type(error).__name__


def json_body(response: httpx.Response) -> dict:
    """Return the response's JSON object, or a dict holding the start of its text when it is not JSON."""
    try:
        body = response.json()
    except ValueError:
        return {"text": response.text[:500]}
    return body if isinstance(body, dict) else {"body": body}


def raise_for_status(response: httpx.Response, provider: str, detail: str) -> None:
    """Raise SendError for an unsuccessful status: 429 and 5xx are transient, other 4xx permanent."""
    if response.is_success:
        return
    body = json_body(response)
    message = f"{provider} responded {response.status_code}: {detail}"
    transient = response.status_code == 429 or response.status_code >= 500
    raise SendError(message, permanent=not transient, response={"status_code": response.status_code, **body})
