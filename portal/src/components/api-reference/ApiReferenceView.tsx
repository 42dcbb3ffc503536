'use client';

import dynamic from 'next/dynamic';
import 'swagger-ui-react/swagger-ui.css';
import { Skeleton } from '../../ui';

/**
 * Swagger UI renders in the browser only (it reads `window`); its bundle and stylesheet are served by
 * the portal itself, so the page works offline under the portal's CSP (nothing from a CDN, no fonts).
 */
const SwaggerUI = dynamic(() => import('swagger-ui-react'), {
  ssr: false,
  loading: () => <Skeleton label="Loading the API reference" lines={5} />,
});

/** The portal's HTTP API, rendered from the OpenAPI document it serves (`GET /api/openapi.json`). */
export function ApiReferenceView() {
  return (
    <>
      <div className="page-header">
        <div>
          <h1>API reference</h1>
          <p>
            Rendered from <a href="/api/openapi.json">/api/openapi.json</a>, the OpenAPI 3.1 document the
            portal generates from the schemas it validates with. Scripts authenticate with a bearer token (
            <code>POST /api/auth/token</code> in local mode).
          </p>
        </div>
      </div>
      <section className="card api-reference" aria-label="API operations" data-testid="api-reference">
        <SwaggerUI url="/api/openapi.json" supportedSubmitMethods={['get']} deepLinking={false} />
      </section>
    </>
  );
}
