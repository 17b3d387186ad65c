// A real OpenID Connect provider (the npm package oidc-provider) on 127.0.0.1 for the sso-sds tests.
//
// Starts on a free port, then prints one JSON line on stdout: {"issuer": "http://127.0.0.1:PORT"}.
// It stops when its standard input closes (the test that spawned it ended) or on SIGTERM.
//
// What it offers:
// - one native public client (`token_endpoint_auth_method: 'none'`), id `dapodik-sync-test`, redirect
//   URI http://127.0.0.1/callback on any port (loopback port variation for native apps, RFC 8252);
// - PKCE required (S256), refresh tokens with rotation (scope offline_access), revocation, userinfo;
// - custom claims npsn, peran, ptk_id (scope `sds`) and name (scope `profile`) from a small in-memory
//   account table chosen by login name;
// - the development interactions (plain HTML forms), which a test "browser" drives with plain HTTP:
//   POST /interaction/:uid with prompt=login&login=NAME&password=..., then prompt=consent;
// - a test hook, POST /test/drop-access-token (see below).
//
// Environment (all optional):
//   OIDC_CLAIMS_IN_ID_TOKEN=1   also put the scope claims into the ID token (default: userinfo only)
//   OIDC_NO_REVOCATION=1        do not offer a revocation endpoint
//   OIDC_NO_USERINFO=1          do not offer a userinfo endpoint (use with OIDC_CLAIMS_IN_ID_TOKEN=1)
//   OIDC_ACCESS_TOKEN_TTL=SECS  access-token lifetime (default 3600)
//   OIDC_PORT=PORT              listen on this port instead of a free one
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const ACCOUNTS = {
  operator1: { name: 'Siti Operator', npsn: '20100001', peran: 'operator', ptk_id: 'ptk-0001' },
  guru1: { name: 'Budi Guru', npsn: '20100001', peran: 'guru', ptk_id: 'ptk-0002' },
  operator2: { name: 'Ani Operator', npsn: '20200002', peran: 'operator', ptk_id: 'ptk-0003' },
};

const env = process.env;
const claimsInIdToken = env.OIDC_CLAIMS_IN_ID_TOKEN === '1';
const revocation = env.OIDC_NO_REVOCATION !== '1';
const userinfo = env.OIDC_NO_USERINFO !== '1';
const accessTtl = Number(env.OIDC_ACCESS_TOKEN_TTL || 3600);

const server = createServer();
await new Promise((resolve) => server.listen(Number(env.OIDC_PORT || 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'dapodik-sync-test',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  scopes: ['openid', 'offline_access', 'profile', 'sds'],
  claims: {
    openid: ['sub'],
    profile: ['name'],
    sds: ['npsn', 'peran', 'ptk_id'],
  },
  conformIdTokenClaims: !claimsInIdToken,
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: revocation },
    userinfo: { enabled: userinfo },
  },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  ttl: {
    AccessToken: accessTtl,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 24 * 3600,
    Interaction: 600,
    Session: 3600,
    Grant: 24 * 3600,
  },
  async findAccount(_ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...account };
      },
    };
  },
});

// Test hook: POST /test/drop-access-token with the token in the `x-token` header destroys that one
// access token and nothing else (revocation would revoke the whole grant), as if it had expired early:
// the client still believes it valid and gets a 401.
provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/test/drop-access-token') {
    const token = await provider.AccessToken.find(ctx.get('x-token'));
    if (token) await token.destroy();
    ctx.status = token ? 204 : 404;
    return;
  }
  await next();
});

// Logs only the kind of each request, never its tokens.
provider.on('server_error', (_ctx, err) => console.error('server_error', err));

server.on('request', provider.callback());

process.stdout.write(`${JSON.stringify({ issuer })}\n`);

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
