import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentSpecJsonSchema } from '../src';

export const JSON_SCHEMA_PATH = join(__dirname, '..', 'generated', 'environment-spec.schema.json');

writeFileSync(JSON_SCHEMA_PATH, `${JSON.stringify(environmentSpecJsonSchema(), null, 2)}\n`);
console.log(`wrote ${JSON_SCHEMA_PATH}`);
