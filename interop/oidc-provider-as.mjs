// panva's oidc-provider as an authorization server that really issues tokens, for authspec's
// token-flow interop trials (tests/interop.rs).
//
//   node oidc-provider-as.mjs PORT RESOURCE[,RESOURCE...] [FLAG,...]
//
// The first RESOURCE is the MCP server it issues tokens for; the others are further resources it
// serves (a token for one is not a token for the MCP server). Configuration, as a development
// deployment for MCP would have it:
// - open dynamic client registration (RFC 7591), public clients allowed;
// - PKCE required for every client, S256 only (oidc-provider 9 knows no other method);
// - resource indicators (RFC 8707): each resource above gets JWT access tokens (RFC 9068) whose
//   `aud` is the resource, scopes `mcp:tools` and `mcp:read`; any other resource is
//   `invalid_target`;
// - a refresh token for every client allowed the refresh_token grant; by default rotated as
//   oidc-provider does for public clients that are not sender-constrained (OAuth 2.1 §4.3.1);
// - token revocation (RFC 7009);
// - no user: an authorization request is approved on the spot. The answer to it is one redirect
//   to the client's redirect_uri with the code, as from a server where the user is signed in and
//   has consented; the login and consent interactions run inside, through the provider's own
//   interaction API (`interactionDetails`, a Grant, `interactionResult`).
// FLAGs: `dpop` turns DPoP (RFC 9449) on, `dpop-nonce` on with a nonce of the provider's in every
// proof (RFC 9449 §8); `no-rotation` keeps a refresh token unchanged on use.
import { randomBytes } from 'node:crypto';
import Provider, { errors } from 'oidc-provider';

const port = Number(process.argv[2]);
const resources = (process.argv[3] ?? '').split(',').filter(Boolean);
const flags = new Set((process.argv[4] ?? '').split(',').filter(Boolean));
const issuer = `http://localhost:${port}`;
const inside = `http://127.0.0.1:${port}`;
const INTERNAL = 'x-interop-auto-approve';

const provider = new Provider(issuer, {
  scopes: ['openid', 'offline_access', 'mcp:tools', 'mcp:read'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    revocation: { enabled: true },
    dPoP: flags.has('dpop-nonce')
      ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true }
      : { enabled: flags.has('dpop') },
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx, _client, oneOf) => oneOf ?? resources[0],
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (!resources.includes(indicator)) throw new errors.InvalidTarget();
        return {
          scope: 'mcp:tools mcp:read',
          audience: indicator,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  ...(flags.has('no-rotation') ? { rotateRefreshToken: false } : {}),
  ttl: { AccessToken: 300, AuthorizationCode: 60, RefreshToken: 3600, Grant: 3600, Session: 3600, Interaction: 60 },
});

// Completes the interaction the provider asks for: login as one fixed account, then consent to
// everything the request is missing.
async function approve(ctx) {
  const { prompt, params, session, grantId } = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (prompt.name === 'login') {
    result = { login: { accountId: 'interop-user' } };
  } else {
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const d = prompt.details;
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    result = { consent: { grantId: await grant.save() } };
  }
  const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.set('location', to);
}

// Runs the authorization request and its interactions inside, carrying the provider's cookies,
// and answers with where the provider finally sends the user agent: the client's redirect_uri
// (with a code or an error), or the provider's own error page, relayed as it is.
async function authorizeAtOnce(ctx) {
  const jar = new Map();
  let url = `${inside}${ctx.originalUrl}`;
  for (let hop = 0; hop < 10; hop += 1) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const r = await fetch(url, { redirect: 'manual', headers: { [INTERNAL]: '1', cookie } });
    for (const c of r.headers.getSetCookie()) {
      const kv = c.split(';')[0];
      const i = kv.indexOf('=');
      jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    const location = r.headers.get('location');
    if (r.status >= 300 && r.status < 400 && location) {
      const next = new URL(location, issuer);
      const own = [issuer, inside].includes(next.origin) && /^\/(interaction|auth)\//.test(next.pathname);
      if (own) {
        url = `${inside}${next.pathname}${next.search}`;
        continue;
      }
      ctx.status = 302;
      ctx.set('location', location);
      return;
    }
    ctx.status = r.status;
    ctx.type = r.headers.get('content-type') ?? 'text/html';
    ctx.body = await r.text();
    return;
  }
  ctx.status = 500;
  ctx.body = 'too many interaction hops';
}

provider.use(async (ctx, next) => {
  if (ctx.get(INTERNAL) && ctx.path.startsWith('/interaction/')) return approve(ctx);
  if (ctx.path === '/auth' && ctx.method === 'GET' && !ctx.get(INTERNAL)) return authorizeAtOnce(ctx);
  return next();
});

provider.listen(port, '127.0.0.1', () => console.log(`Issuer: ${issuer}`));
