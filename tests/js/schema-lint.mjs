// graphql-schema-linter's description rules on the SDL at COSELL_SCHEMA: every type, field,
// argument, input field and enum value has a description, and each starts with a capital.
// Exits 1 with the linter's report otherwise.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('graphql-schema-linter/lib/cli.js');
const rules = [
  'types-have-descriptions',
  'fields-have-descriptions',
  'arguments-have-descriptions',
  'input-object-values-have-descriptions',
  'enum-values-have-descriptions',
  'descriptions-are-capitalized',
];
const run = spawnSync(process.execPath, [cli, '--rules', rules.join(','), process.env.COSELL_SCHEMA], {
  encoding: 'utf8',
});
process.stdout.write(run.stdout + run.stderr);
process.exit(run.status ?? 1);
