/**
 * Checks a downloaded evidence bundle: its JSON against the published schema, then its detached
 * signature over the canonical JSON of `bundle` with the portal's public key.
 *
 *   npm run verify-evidence -w @sep/portal -- <evidence.json> <public-key.json|public-key.pem>
 *   npm run verify-evidence -w @sep/portal -- <evidence.json> --canonical   # the signed bytes, for openssl
 *
 * `public-key.json` is the body of `GET /api/evidence/public-key`. Exit 0: valid and verified; 1: not.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signedEvidenceSchema } from '../src/server/evidence/evidence-service';
import { canonicalJson, evidencePublicKeySchema, verifyEvidence } from '../src/server/evidence/signing';

// npm runs workspace scripts from the workspace: resolve file names against the caller's directory.
const resolve = (file: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), file);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const [bundleFile, keyArgument] = process.argv.slice(2);
if (bundleFile === undefined || keyArgument === undefined) {
  fail('usage: verify-evidence <evidence.json> (<public-key.json|public-key.pem> | --canonical)');
}
const parsed = signedEvidenceSchema.safeParse(JSON.parse(readFileSync(resolve(bundleFile), 'utf8')));
if (!parsed.success) {
  fail(
    `not an evidence bundle:\n${parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`,
  );
}
if (keyArgument === '--canonical') {
  // No process.exit here: it could cut a pipe short before the bytes are written.
  process.stdout.write(canonicalJson(parsed.data.bundle));
} else {
  const keyText = readFileSync(resolve(keyArgument), 'utf8');
  const publicKeyPem = keyText.trimStart().startsWith('{')
    ? evidencePublicKeySchema.parse(JSON.parse(keyText)).publicKeyPem
    : keyText;
  if (!verifyEvidence(parsed.data.bundle, parsed.data.signature, publicKeyPem)) {
    fail(`signature INVALID: ${bundleFile} was not signed by this key or was changed after signing`);
  }
  const { environment, generatedAt } = parsed.data.bundle;
  process.stdout.write(
    `signature OK: ${parsed.data.signature.algorithm} ${parsed.data.signature.keyId}\nevidence of ${environment.suffix} (${environment.kind}) generated ${generatedAt}\n`,
  );
}
