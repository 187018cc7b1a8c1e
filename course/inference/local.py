"""huggingface_hub's offline switch, opened for the learner's own machine only.

With `HF_HUB_OFFLINE=1` (set by `course.setup()` when there is no network), huggingface_hub refuses every
request its HTTP session makes, including `InferenceClient`'s requests to a server on 127.0.0.1:
`OfflineModeIsEnabled: Cannot reach http://127.0.0.1:.../v1/chat/completions`. The library's own hook for
this is `huggingface_hub.set_client_factory`: the client made here lets requests to a loopback address
through and hands every other request to the library's own hook, which still refuses it while offline.
"""

from __future__ import annotations

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
_installed = False


def is_loopback(host: str) -> bool:
    """True for the addresses of this machine's loopback interface."""
    return host.lower() in LOOPBACK_HOSTS or host.startswith("127.")


def _loopback_or_hub_hook(request):  # noqa: ANN001, ANN202 - an httpx request; the hook's result
    from huggingface_hub.utils import _http

    if is_loopback(request.url.host):
        return None
    return _http.hf_request_event_hook(request)


def _client_factory():  # noqa: ANN202 - the library's httpx client
    from huggingface_hub.utils import _http

    client = _http.default_client_factory()
    client.event_hooks = {**client.event_hooks, "request": [_loopback_or_hub_hook]}
    return client


def allow_local_requests() -> bool:
    """Make huggingface_hub's shared session reach loopback addresses even offline (idempotent).

    Returns True when the factory was installed now, False when it already was.
    """
    global _installed
    if _installed:
        return False
    import huggingface_hub

    huggingface_hub.set_client_factory(_client_factory)
    _installed = True
    return True
