import type { ServiceHandler } from './router.js';

/**
 * Entra ID's endpoints answer browsers too: a single-page app reads the discovery document and
 * the keys and redeems its code with fetch from its own origin. Preflights are answered here;
 * every answer to a request that carries an Origin says any origin may read it (as Entra does).
 */
export function withCors(handler: ServiceHandler): ServiceHandler {
  return async (req) => {
    if (!req.headers.origin) return handler(req);
    if (req.method === 'OPTIONS')
      return {
        status: 204,
        headers: {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type',
          'access-control-max-age': '86400',
        },
      };
    const response = await handler(req);
    return { ...response, headers: { ...response.headers, 'access-control-allow-origin': '*' } };
  };
}
