"""An MCP resource server from the official Python SDK, for authspec's interop suite.

It trusts the authorization server named on the command line and accepts no token: none is
issued during the suite, so every token it is shown is invalid and must get 401.
"""
import sys

import uvicorn
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer


class NoTokens(TokenVerifier):
    async def verify_token(self, token: str) -> AccessToken | None:
        return None


port, issuer = int(sys.argv[1]), sys.argv[2]
server = MCPServer(
    "authspec-interop",
    token_verifier=NoTokens(),
    auth=AuthSettings(
        issuer_url=issuer,
        resource_server_url=f"http://localhost:{port}/mcp",
        required_scopes=["mcp:tools"],
    ),
)


@server.tool()
def echo(text: str) -> str:
    return text


print(f"Server URL: http://localhost:{port}/mcp", flush=True)
uvicorn.run(server.streamable_http_app(), host="127.0.0.1", port=port, log_level="warning")
