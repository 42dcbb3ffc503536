import path from 'node:path';
import type { NextConfig } from 'next';

/**
 * Security headers that do not depend on the request live here; the pages'
 * per-request Content-Security-Policy (with its nonce) is set in `proxy.ts`.
 */
const STATIC_SECURITY_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
];

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // A self-contained server (`.next/standalone/portal/server.js` with only the files it needs): what
  // the container image runs (portal/Dockerfile).
  output: 'standalone',
  reactStrictMode: true,
  // Workspace libraries are consumed as TypeScript source.
  transpilePackages: ['@sep/spec', '@sep/registry', '@sep/infra', '@sep/pipeline', '@sep/client'],
  // Native/Node-only dependencies stay plain `require`s on the server: dynalite
  // opens LevelDB, the AWS SDK and openid-client are large and server-only.
  serverExternalPackages: [
    'dynalite',
    'pino',
    'openid-client',
    '@aws-sdk/client-cloudformation',
    '@aws-sdk/client-codepipeline',
    '@aws-sdk/client-config-service',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/client-kms',
    '@aws-sdk/lib-dynamodb',
    // The promotion preview's diff: its service spec reads `db.json.gz` beside its own files (__dirname).
    '@aws-cdk/cloudformation-diff',
  ],
  // The monorepo root (package-lock.json) holds node_modules and the sibling workspaces.
  turbopack: { root: path.join(__dirname, '..') },
  outputFileTracingRoot: path.join(__dirname, '..'),
  // The promotion preview's diff loads the CloudFormation service spec from this file at run time (a
  // path the tracer cannot follow): without it the standalone server computes no preview.
  outputFileTracingIncludes: {
    '/api/pipeline/**': ['../node_modules/@aws-cdk/aws-service-spec/db.json.gz'],
  },

  async headers() {
    return [
      { source: '/:path*', headers: STATIC_SECURITY_HEADERS },
      // JSON and event streams only: nothing in an API answer may run, load or frame anything.
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: API_CSP }] },
    ];
  },
};

export default nextConfig;
