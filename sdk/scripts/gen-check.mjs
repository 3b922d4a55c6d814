// Fails when src/schema.d.ts is not what `npm run gen` makes from ../openapi.yaml.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'sala-sdk-gen-'));
const out = join(dir, 'schema.d.ts');
try {
  execFileSync('npx', ['--no-install', 'openapi-typescript', '../openapi.yaml', '-o', out], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (readFileSync(out, 'utf8') !== readFileSync('src/schema.d.ts', 'utf8')) {
    console.error('src/schema.d.ts is stale: run `npm run gen` and commit the result.');
    process.exit(1);
  }
  console.log('src/schema.d.ts is up to date with ../openapi.yaml');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
