"""The official Python MCP SDK as its own authorization server, issuing real tokens.

    python python-sdk-as-server.py PORT [audience-unchecked]

The SDK's auth routes serve RFC 8414 metadata, dynamic client registration, /authorize, /token
(the SDK checks the PKCE verifier, the client and the redirect_uri of the code itself) and
/revoke; its bearer middleware guards /mcp, asking for the `mcp:tools` scope. The provider below
is what a development deployment plugs in: it approves every authorization request on its own,
keeps codes, tokens and clients in memory, redeems a code once, rotates refresh tokens (the old
one stops working once used), and serves two resources (RFC 8707): this MCP server and
`{base}/other-api`; any other resource is `invalid_target`. A token's resource is the one named
in its authorization request.

By default `AuthSettings.validate_token_resource` is on, so the SDK refuses a token issued for
another resource; with `audience-unchecked` it is off (the SDK's default today, with a warning),
and a token for `{base}/other-api` opens this server too.
"""
import secrets
import sys
import time
import warnings

import uvicorn
from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    OAuthAuthorizationServerProvider,
    RefreshToken,
    construct_redirect_uri,
)
from mcp.server.auth.settings import AuthSettings, ClientRegistrationOptions, RevocationOptions
from mcp.server.mcpserver import MCPServer
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

SCOPES = ["mcp:tools"]
ACCESS_TTL = 300


class AutoApproveTokens(OAuthAuthorizationServerProvider[AuthorizationCode, RefreshToken, AccessToken]):
    def __init__(self, resources: list[str]) -> None:
        self.resources = resources
        self.clients: dict[str, OAuthClientInformationFull] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        return self.clients.get(client_id)

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        self.clients[client_info.client_id or ""] = client_info

    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        resource = params.resource or self.resources[0]
        if resource not in self.resources:
            raise AuthorizeError(error="invalid_target", error_description="unknown resource")
        code = secrets.token_urlsafe(32)
        self.codes[code] = AuthorizationCode(
            code=code,
            scopes=params.scopes or SCOPES,
            expires_at=time.time() + 60,
            client_id=client.client_id or "",
            code_challenge=params.code_challenge,
            redirect_uri=params.redirect_uri,
            redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly,
            resource=resource,
            subject="interop-user",
        )
        return construct_redirect_uri(str(params.redirect_uri), code=code, state=params.state)

    async def load_authorization_code(self, client, authorization_code):
        return self.codes.get(authorization_code)

    def _issue(self, client_id: str, scopes: list[str], resource: str | None) -> OAuthToken:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.access[access] = AccessToken(
            token=access,
            client_id=client_id,
            scopes=scopes,
            expires_at=int(time.time()) + ACCESS_TTL,
            resource=resource,
            subject="interop-user",
        )
        self.refresh[refresh] = RefreshToken(
            token=refresh, client_id=client_id, scopes=scopes, resource=resource, subject="interop-user"
        )
        return OAuthToken(
            access_token=access,
            token_type="Bearer",
            expires_in=ACCESS_TTL,
            scope=" ".join(scopes),
            refresh_token=refresh,
        )

    async def exchange_authorization_code(self, client, authorization_code) -> OAuthToken:
        # Once only: the SDK's token handler has checked the code exists, is this client's,
        # unexpired, for the same redirect_uri and matches the PKCE verifier.
        self.codes.pop(authorization_code.code, None)
        return self._issue(authorization_code.client_id, authorization_code.scopes, authorization_code.resource)

    async def load_refresh_token(self, client, refresh_token):
        return self.refresh.get(refresh_token)

    async def exchange_refresh_token(self, client, refresh_token, scopes) -> OAuthToken:
        # Rotation (OAuth 2.1 §4.3.1): the used refresh token is gone.
        self.refresh.pop(refresh_token.token, None)
        return self._issue(refresh_token.client_id, scopes, refresh_token.resource)

    async def load_access_token(self, token: str) -> AccessToken | None:
        found = self.access.get(token)
        if found is None or (found.expires_at or 0) < time.time():
            return None
        return found

    async def revoke_token(self, token) -> None:
        self.access.pop(token.token, None)
        self.refresh.pop(token.token, None)


port = int(sys.argv[1])
check_audience = "audience-unchecked" not in sys.argv[2:]
base = f"http://localhost:{port}"
warnings.simplefilter("ignore")
server = MCPServer(
    "authspec-interop",
    auth_server_provider=AutoApproveTokens([f"{base}/mcp", f"{base}/other-api"]),
    auth=AuthSettings(
        issuer_url=base,
        resource_server_url=f"{base}/mcp",
        required_scopes=SCOPES,
        validate_token_resource=check_audience,
        # A client that registers without `scope` gets `mcp:tools` (RFC 7591 §2: "If omitted, an
        # authorization server MAY register a client with a default set of scopes"); without
        # default_scopes the SDK registers it with none, and refuses every scope it asks for later.
        client_registration_options=ClientRegistrationOptions(enabled=True, valid_scopes=SCOPES, default_scopes=SCOPES),
        revocation_options=RevocationOptions(enabled=True),
    ),
)


@server.tool()
def echo(text: str) -> str:
    return text


print(f"Server URL: {base}/mcp", flush=True)
uvicorn.run(server.streamable_http_app(), host="127.0.0.1", port=port, log_level="warning")
