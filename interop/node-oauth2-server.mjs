// @node-oauth/oauth2-server as the authorization server of an MCP server, for authspec's
// token-flow interop trials (tests/interop.rs).
//
//   node node-oauth2-server.mjs PORT REDIRECT_URI
//
// The library is a framework: it runs the authorization, token and authenticate handlers
// (code + PKCE, refresh with rotation, Bearer checks) over a model the deployment supplies, and
// serves no metadata. This deployment supplies what such a server needs and nothing more:
// - an in-memory model; one public client, `authspec-interop`, pre-registered with REDIRECT_URI
//   (no dynamic registration: the client is given to authspec as a pre-registered one);
// - approval on its own: the authenticate handler of /authorize returns one fixed user;
// - RFC 8414 metadata and RFC 9728 metadata, and /mcp (the TypeScript SDK v1's transport)
//   behind the library's authenticate handler with scope `mcp:tools`; its challenges carry
//   resource_metadata, as MCP asks.
// The library knows no resource indicators (RFC 8707): `resource` is ignored and a token opens
// whatever this server guards. The library's own behaviour is what the AS rows judge: PKCE
// (`code_verifier` against the stored S256 challenge), the redirect_uri compared with the
// client's registered ones (`includes`, exact strings) and with the code's, the code revoked
// when redeemed, and `alwaysIssueNewRefreshToken` (default true) with the old token revoked.
import http from 'node:http';
import OAuth2Server from '@node-oauth/oauth2-server';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

const { Request, Response } = OAuth2Server;
const port = Number(process.argv[2]);
const redirectUri = process.argv[3];
const base = `http://localhost:${port}`;
const mcpUrl = `${base}/mcp`;
const prmUrl = `${base}/.well-known/oauth-protected-resource/mcp`;
const SCOPE = 'mcp:tools';

const client = {
  id: 'authspec-interop',
  redirectUris: [redirectUri],
  grants: ['authorization_code', 'refresh_token'],
};
const user = { id: 'interop-user' };
const codes = new Map();
const tokens = new Map();
const refreshes = new Map();

const model = {
  getClient: async (id) => (id === client.id ? client : null),
  saveAuthorizationCode: async (code, c, u) => {
    const saved = { ...code, client: c, user: u };
    codes.set(code.authorizationCode, saved);
    return saved;
  },
  getAuthorizationCode: async (code) => codes.get(code) ?? null,
  revokeAuthorizationCode: async (code) => codes.delete(code.authorizationCode),
  saveToken: async (token, c, u) => {
    const saved = { ...token, client: c, user: u };
    tokens.set(token.accessToken, saved);
    if (token.refreshToken) refreshes.set(token.refreshToken, saved);
    return saved;
  },
  getAccessToken: async (token) => tokens.get(token) ?? null,
  getRefreshToken: async (token) => refreshes.get(token) ?? null,
  revokeToken: async (token) => refreshes.delete(token.refreshToken),
  validateScope: async (_u, _c, scope) => scope ?? [SCOPE],
  verifyScope: async (token, scope) => scope.every((s) => (token.scope ?? []).includes(s)),
};

const oauth = new OAuth2Server({
  model,
  requireClientAuthentication: { authorization_code: false, refresh_token: false },
  allowEmptyState: true,
  accessTokenLifetime: 300,
});

const metadata = {
  issuer: base,
  authorization_endpoint: `${base}/authorize`,
  token_endpoint: `${base}/token`,
  response_types_supported: ['code'],
  grant_types_supported: ['authorization_code', 'refresh_token'],
  code_challenge_methods_supported: ['S256'],
  token_endpoint_auth_methods_supported: ['none'],
  scopes_supported: [SCOPE],
};
const prm = { resource: mcpUrl, authorization_servers: [base], scopes_supported: [SCOPE] };

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

// The library's Response after a handler: its status, headers and body, or the redirect it made.
function send(res, out, fallback) {
  res.writeHead(out.status ?? fallback, out.headers);
  res.end(out.body && Object.keys(out.body).length ? JSON.stringify(out.body) : '');
}

function libRequest(req, url, body) {
  const form = Object.fromEntries(new URLSearchParams(body));
  return new Request({
    method: req.method,
    query: Object.fromEntries(url.searchParams),
    headers: { ...req.headers, 'content-type': req.headers['content-type'] ?? '' },
    body: form,
  });
}

async function authorize(req, res, url) {
  const out = new Response(res);
  try {
    await oauth.authorize(libRequest(req, url, ''), out, { authenticateHandler: { handle: () => user } });
    send(res, out, 302);
  } catch (e) {
    // An error the library could redirect went to the registered redirect_uri already.
    if (out.status === 302) return send(res, out, 302);
    json(res, e.code ?? 400, { error: e.name ?? 'invalid_request', error_description: e.message });
  }
}

async function token(req, res, url) {
  const out = new Response(res);
  try {
    await oauth.token(libRequest(req, url, await readBody(req)), out);
    send(res, out, 200);
  } catch (e) {
    json(res, e.code ?? 400, { error: e.name ?? 'invalid_request', error_description: e.message }, out.headers);
  }
}

async function mcp(req, res, url) {
  const out = new Response(res);
  const body = await readBody(req);
  try {
    await oauth.authenticate(libRequest(req, url, ''), out, { scope: [SCOPE] });
  } catch (e) {
    const challenge = `${out.headers['www-authenticate'] ?? 'Bearer realm="Service"'},resource_metadata="${prmUrl}",scope="${SCOPE}"`;
    return json(res, e.code ?? 401, { error: e.name }, { 'www-authenticate': challenge });
  }
  const server = new McpServer({ name: 'authspec-interop', version: '1.0.0' });
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  await server.connect(transport);
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    return json(res, 400, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
  }
  await transport.handleRequest(req, res, parsed);
}

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, base);
    try {
      if (req.method === 'GET' && url.pathname === '/.well-known/oauth-authorization-server') return json(res, 200, metadata);
      if (req.method === 'GET' && url.pathname === '/.well-known/oauth-protected-resource/mcp') return json(res, 200, prm);
      if (req.method === 'GET' && url.pathname === '/authorize') return await authorize(req, res, url);
      if (req.method === 'POST' && url.pathname === '/token') return await token(req, res, url);
      if (url.pathname === '/mcp') return await mcp(req, res, url);
      json(res, 404, { error: 'not_found' });
    } catch (e) {
      if (!res.headersSent) json(res, 500, { error: 'server_error', error_description: String(e?.message ?? e) });
    }
  })
  .listen(port, '127.0.0.1', () => console.log(`Server URL: ${mcpUrl}`));
