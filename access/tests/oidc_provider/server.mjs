// A real OpenID Connect provider (panva's oidc-provider, certified by the OpenID Foundation) for the desk's
// single sign-on tests: access/tests/test_oidc_provider.py starts it with node on a free port and drives
// the desk's sign-in through it. Test-only: never run it anywhere else.
//
// Environment: OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI (the desk's callback).
// Prints one JSON line {"issuer": "http://127.0.0.1:<port>"} on stdout once it answers.
//
// Beside the provider's own endpoints (discovery, /auth, /token, /me, /jwks) it answers:
//   GET  /interaction/<uid>   signs in the account named by the authorisation request's login_hint,
//                             without a form (the interaction a person would have with the login page)
//   PUT  /test/accounts/<id>  the provider's directory: that account's claims (name, email, groups...)
//   PUT  /test/tamper         {"mode": ..., "claims": {...}}: the NEXT token response's ID token is altered
//       mode "payload"    claims merged into the payload, header and signature kept (a tampered token)
//       mode "none"       header {"alg": "none"}, claims merged, no signature (an unsigned token)
//       mode "other-key"  claims merged, signed by another RSA key under the provider's key id
//       mode "resign"     claims merged, signed with the provider's own key (a genuine signature
//                         over bad claims: wrong issuer, audience, nonce, expired...)
//   A claim given as null is removed.
import crypto from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const KID = 'desk-test-key-1';
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };

const accounts = new Map();
let tamper = null;

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unb64 = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

function merged(payload, claims) {
  const out = { ...payload };
  for (const [name, value] of Object.entries(claims || {})) {
    if (value === null) delete out[name];
    else out[name] = value;
  }
  return out;
}

function rs256(header, payload, key) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function tampered(idToken, { mode, claims }) {
  const [headerPart, payloadPart, signature] = idToken.split('.');
  const header = unb64(headerPart);
  const payload = merged(unb64(payloadPart), claims);
  switch (mode) {
    case 'payload':
      return `${headerPart}.${b64(payload)}.${signature}`;
    case 'none':
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
    case 'other-key':
      return rs256(header, payload, crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    case 'resign':
      return rs256(header, payload, privateKey);
    default:
      throw new Error(`unknown tamper mode ${mode}`);
  }
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: process.env.OIDC_CLIENT_ID,
        client_secret: process.env.OIDC_CLIENT_SECRET,
        redirect_uris: [process.env.OIDC_REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    // The ID token carries the scopes' claims too (not only userinfo), as Keycloak and Okta can be set to.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    async findAccount(ctx, id) {
      if (!accounts.has(id)) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...accounts.get(id) }) };
    },
    // The desk is a first-party client: everything it asks for is granted without a consent page.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
  });

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && tamper && ctx.body?.id_token) {
      ctx.body = { ...ctx.body, id_token: tampered(ctx.body.id_token, tamper) };
      tamper = null;
    }
  });

  const oidc = provider.callback();
  server.on('request', async (req, res) => {
    try {
      const path = new URL(req.url, issuer).pathname;
      if (req.method === 'PUT' && path.startsWith('/test/accounts/')) {
        accounts.set(decodeURIComponent(path.slice('/test/accounts/'.length)), await readJson(req));
        res.writeHead(204).end();
      } else if (req.method === 'PUT' && path === '/test/tamper') {
        tamper = await readJson(req);
        res.writeHead(204).end();
      } else if (req.method === 'GET' && path.startsWith('/interaction/')) {
        const details = await provider.interactionDetails(req, res);
        const accountId = details.params.login_hint;
        const result = accounts.has(accountId)
          ? { login: { accountId } }
          : { error: 'access_denied', error_description: 'no such account' };
        await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      } else {
        oidc(req, res);
      }
    } catch (error) {
      process.stderr.write(`${error.stack}\n`);
      res.writeHead(500).end(String(error));
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
