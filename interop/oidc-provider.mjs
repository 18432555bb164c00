import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
const port = Number(process.argv[2]);
// `dpop-nonce`: DPoP proofs must carry a nonce of the provider's (RFC 9449 §8-§9), here and at the
// userinfo endpoint, a protected resource that takes DPoP-bound tokens.
const nonces = process.argv[3] === 'dpop-nonce';
const issuer = `http://localhost:${port}`;
const provider = new Provider(issuer, {
  clients: [{ client_id: 'authspec-interop', redirect_uris: ['http://localhost/cb'], token_endpoint_auth_method: 'none' }],
  features: {
    registration: { enabled: true },
    ...(nonces ? { dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true } } : {}),
  },
});
provider.listen(port, '127.0.0.1', () => console.log(`Issuer: ${issuer}`));
