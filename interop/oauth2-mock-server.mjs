// oauth2-mock-server as the authorization server of an interop trial: OpenID Connect discovery,
// a JWKS with one RS256 key, and its token, authorization and introspection endpoints.
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.argv[2]);
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(port, 'localhost');
console.log(`Issuer: ${server.issuer.url}`);
