// An MCP resource server guarded by mcp-auth (mcp-auth.dev), for authspec's interop suite.
//
// mcp-auth's resource-server mode: its metadata router serves the RFC 9728 document at the
// path-inserted URL, and its `jwt` bearer middleware checks tokens by the issuer's JWKS, issuer,
// audience and scope. The authorization server is the one named on the command line (its OpenID
// Connect discovery is read at start). No token is issued during the suite, so every token it is
// shown is invalid.
import express from 'express';
import { MCPAuth, fetchServerConfig } from 'mcp-auth';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

const port = Number(process.argv[2]);
const issuer = process.argv[3];
const resource = `http://localhost:${port}/mcp`;
const mcpAuth = new MCPAuth({
  protectedResources: {
    metadata: {
      resource,
      authorizationServers: [await fetchServerConfig(issuer, { type: 'oidc' })],
      scopesSupported: ['mcp:tools'],
    },
  },
});

const app = express();
app.use(express.json());
app.use(mcpAuth.protectedResourceMetadataRouter());
app.post(
  '/mcp',
  mcpAuth.bearerAuth('jwt', { resource, audience: resource, requiredScopes: ['mcp:tools'] }),
  async (req, res) => {
    const server = new McpServer({ name: 'authspec-interop', version: '1.0.0' });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  },
);
app.listen(port, '127.0.0.1', () => console.log(`Server URL: ${resource}`));
