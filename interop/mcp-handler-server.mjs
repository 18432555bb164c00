// An MCP server on Vercel's mcp-handler, for authspec's interop suite.
//
// mcp-handler answers web-standard Requests: `withMcpAuth` guards the MCP route and challenges
// per RFC 9728, `protectedResourceHandler` serves the metadata naming the authorization server
// given on the command line. Its token check is the application's, as the package's README has
// it: here a JWT signed by a key of the issuer's JWKS, for this resource (jose), and undefined
// otherwise. No token is issued during the suite, so every token it is shown is invalid. The
// small adapter below only turns Node's requests into web Requests and back.
import { createServer } from 'node:http';
import { createMcpHandler, protectedResourceHandler, withMcpAuth } from 'mcp-handler';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const port = Number(process.argv[2]);
const issuer = process.argv[3];
const base = `http://localhost:${port}`;
const resource = `${base}/mcp`;
const metadataPath = '/.well-known/oauth-protected-resource/mcp';
const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
const keys = createRemoteJWKSet(new URL(discovery.jwks_uri));

async function verifyToken(_req, token) {
  if (!token) return undefined;
  try {
    const { payload } = await jwtVerify(token, keys, { issuer, audience: resource });
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    return { token, clientId: String(payload.client_id ?? ''), scopes, expiresAt: payload.exp };
  } catch {
    return undefined;
  }
}

const mcp = withMcpAuth(
  createMcpHandler(() => {}, { serverInfo: { name: 'authspec-interop', version: '1.0.0' } }),
  verifyToken,
  { required: true, resourceMetadataPath: metadataPath, requiredScopes: ['mcp:tools'], resourceUrl: base },
);
const metadata = protectedResourceHandler({ authServerUrls: [issuer] });

function route(request) {
  const path = new URL(request.url).pathname;
  if (path === '/mcp') return mcp(request);
  if (path === metadataPath) return metadata(request);
  return new Response('not found', { status: 404 });
}

createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  const body = ['GET', 'HEAD'].includes(req.method) ? undefined : Buffer.concat(chunks);
  const response = await route(new Request(new URL(req.url, base), { method: req.method, headers, body }));
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}).listen(port, '127.0.0.1', () => console.log(`Server URL: ${resource}`));
