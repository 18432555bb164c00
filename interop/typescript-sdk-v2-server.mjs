// An MCP resource server on the TypeScript SDK's v2 packages, for authspec's interop suite.
import express from 'express';
import { McpServer, OAuthError, OAuthErrorCode } from '@modelcontextprotocol/server';
import { getOAuthProtectedResourceMetadataUrl, mcpAuthMetadataRouter, requireBearerAuth } from '@modelcontextprotocol/express';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';

const port = Number(process.argv[2]);
const issuer = process.argv[3];
const mcpUrl = new URL(`http://localhost:${port}/mcp`);
const oauthMetadata = await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json();

// No token is issued during the suite, so every token shown is invalid.
const verifier = {
  async verifyAccessToken() {
    throw new OAuthError(OAuthErrorCode.InvalidToken, 'unknown token');
  },
};

const app = express();
app.use(express.json());
app.use(mcpAuthMetadataRouter({ oauthMetadata, resourceServerUrl: mcpUrl, scopesSupported: ['mcp:tools'] }));
app.post(
  '/mcp',
  requireBearerAuth({ verifier, requiredScopes: ['mcp:tools'], resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl) }),
  async (req, res) => {
    const server = new McpServer({ name: 'authspec-interop', version: '1.0.0' });
    const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  },
);
app.listen(port, '127.0.0.1', () => console.log(`Server URL: ${mcpUrl}`));
