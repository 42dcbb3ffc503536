/**
 * Writes the OpenAPI document to `@sep/client`'s `openapi.json`, from which the client generates its
 * types (`npm run build -w @sep/client`). `openapi.test.ts` fails while the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONTRACT_SERVER_URL, openApiDocument } from '../src/server/http/openapi';

const target = path.join(__dirname, '..', '..', 'client', 'openapi.json');
writeFileSync(target, `${JSON.stringify(openApiDocument(CONTRACT_SERVER_URL), null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
