"""FastMCP's InMemoryOAuthProvider: FastMCP as its own authorization server, issuing tokens.

    python fastmcp-in-memory-as.py PORT

The provider is FastMCP's own (fastmcp.server.auth.providers.in_memory), as shipped, with open
dynamic client registration, revocation, and `mcp:tools` required at /mcp. It approves every
authorization request on its own, issues opaque access and refresh tokens, redeems a code once
and rotates refresh tokens. It takes the RFC 8707 `resource` parameter and ignores it: a token
records no resource, so whatever resource a client names, the token opens this server.
"""
import os
import sys

# No banner and no update check: the suite runs offline on loopback.
os.environ.setdefault("FASTMCP_SHOW_SERVER_BANNER", "false")
os.environ.setdefault("FASTMCP_CHECK_FOR_UPDATES", "off")

from fastmcp import FastMCP  # noqa: E402
from fastmcp.server.auth.providers.in_memory import InMemoryOAuthProvider  # noqa: E402
from mcp.server.auth.settings import ClientRegistrationOptions, RevocationOptions  # noqa: E402

port = int(sys.argv[1])
base = f"http://localhost:{port}"
server = FastMCP(
    "authspec-interop",
    auth=InMemoryOAuthProvider(
        base_url=base,
        # A client that registers without `scope` gets `mcp:tools` (RFC 7591 §2: "If omitted, an
        # authorization server MAY register a client with a default set of scopes"); without
        # default_scopes the SDK's /authorize refuses every scope such a client asks for.
        client_registration_options=ClientRegistrationOptions(
            enabled=True, valid_scopes=["mcp:tools"], default_scopes=["mcp:tools"]
        ),
        revocation_options=RevocationOptions(enabled=True),
        required_scopes=["mcp:tools"],
    ),
)


@server.tool
def echo(text: str) -> str:
    return text


print(f"Server URL: {base}/mcp", flush=True)
server.run(transport="http", host="127.0.0.1", port=port, path="/mcp", show_banner=False, log_level="warning")
