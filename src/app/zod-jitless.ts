/**
 * What `zod` resolves to in the browser build (the alias in vite.config.ts): zod itself, switched to
 * jitless parsing before any schema is built. The server's Content-Security-Policy has no
 * 'unsafe-eval' (src/server/http/app.ts), and zod, while building a schema, probes whether it may
 * compile parsers with `new Function`: the probe's error is caught, but the browser still reports a
 * CSP violation. An alias rather than an import in main.ts: a schema module imported before that
 * line (or in the demo-load worker) would already have probed.
 */
import { config } from 'zod/v4';

config({ jitless: true });

export * from 'zod/v4';
