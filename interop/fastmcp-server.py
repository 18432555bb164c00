"""An MCP resource server built with FastMCP, for authspec's interop suite.

It verifies JWTs against the JWKS of the authorization server named on the command line (its
issuer, this resource as audience, the `mcp:tools` scope) and advertises that server in its
RFC 9728 metadata through FastMCP's RemoteAuthProvider. Behind `oidc-provider.mjs` no token is
issued, so every token it is shown is invalid and must get 401; behind `oidc-provider-as.mjs`
the token-flow trials obtain real ones.
"""
import os
import sys

# No banner and no update check: the suite runs offline on loopback.
os.environ.setdefault("FASTMCP_SHOW_SERVER_BANNER", "false")
os.environ.setdefault("FASTMCP_CHECK_FOR_UPDATES", "off")

from fastmcp import FastMCP  # noqa: E402
from fastmcp.server.auth import RemoteAuthProvider  # noqa: E402
from fastmcp.server.auth.providers.jwt import JWTVerifier  # noqa: E402

port, issuer = int(sys.argv[1]), sys.argv[2]
# Further scopes the PRM advertises that no method needs (a third argument, comma-separated), so
# a client can ask for a token that lacks `mcp:tools`.
extra = [s for s in (sys.argv[3] if len(sys.argv) > 3 else "").split(",") if s]
base = f"http://localhost:{port}"
verifier = JWTVerifier(
    jwks_uri=f"{issuer}/jwks",
    issuer=issuer,
    audience=f"{base}/mcp",
    algorithm="RS256",
    required_scopes=["mcp:tools"],
)
server = FastMCP(
    "authspec-interop",
    auth=RemoteAuthProvider(
        token_verifier=verifier,
        authorization_servers=[issuer],
        base_url=base,
        scopes_supported=["mcp:tools", *extra],
    ),
)


@server.tool
def echo(text: str) -> str:
    return text


print(f"Server URL: {base}/mcp", flush=True)
server.run(transport="http", host="127.0.0.1", port=port, path="/mcp", show_banner=False, log_level="warning")
