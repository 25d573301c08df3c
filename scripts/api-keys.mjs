// Server API keys: `npm run apikey:create -- <name>`, `npm run apikey:list`,
// `npm run apikey:revoke -- <id>`. They run `wrangler d1 execute` against the
// local D1 (what `npm run dev` uses); add `--remote` for the deployed database,
// or `--persist-to <dir>` for a local state directory other than .wrangler/state.
// Only the key's SHA-256 is stored; `create` prints the key once.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WRANGLER = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));
const NAME_PATTERN = /^[A-Za-z0-9 _.:@-]{1,64}$/;
const ID_PATTERN = /^[0-9a-f]{12}$/;

function usage(message) {
  console.error(message);
  console.error(
    'Usage: node scripts/api-keys.mjs create <name> | list | revoke <id>   [--remote | --persist-to <dir>]\n' +
      `  name: 1-64 of A-Z a-z 0-9 space _ . : @ -; id: the 12 hex characters from list`,
  );
  process.exit(2);
}

function parseArgs(argv) {
  const target = ['--local'];
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--remote') target.splice(0, target.length, '--remote');
    else if (argv[i] === '--persist-to') {
      if (!argv[i + 1]) usage('--persist-to needs a directory');
      target.push('--persist-to', argv[++i]);
    } else rest.push(argv[i]);
  }
  return { target, command: rest[0], arg: rest[1] };
}

/** Runs one SQL statement on the DB binding; returns its result rows. Values are validated before they get here. */
function execute(target, sql) {
  const out = execFileSync(process.execPath, [WRANGLER, 'd1', 'execute', 'DB', ...target, '--json', '--command', sql], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const parsed = JSON.parse(out);
  return parsed.flatMap((r) => r.results ?? []);
}

const { target, command, arg } = parseArgs(process.argv.slice(2));

if (command === 'create') {
  if (!arg || !NAME_PATTERN.test(arg)) usage(`Expected a key name but received ${JSON.stringify(arg)}`);
  const id = randomBytes(6).toString('hex');
  const key = `gwk_${id}_${randomBytes(32).toString('base64url')}`;
  const hash = createHash('sha256').update(key).digest('hex');
  execute(
    target,
    `INSERT INTO api_keys (id, name, key_sha256, created_at) VALUES ('${id}', '${arg}', '${hash}', '${new Date().toISOString()}')`,
  );
  console.log(`Created API key ${id} ("${arg}"). It is shown only now; store it as a server secret:`);
  console.log(key);
} else if (command === 'list') {
  const rows = execute(target, 'SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY created_at');
  if (rows.length === 0) console.log('No API keys.');
  for (const row of rows) {
    console.log(
      `${row.id}  ${row.revoked_at ? `revoked ${row.revoked_at}` : 'active'}  created ${row.created_at}  ${row.name}`,
    );
  }
} else if (command === 'revoke') {
  if (!arg || !ID_PATTERN.test(arg)) usage(`Expected a key id but received ${JSON.stringify(arg)}`);
  const rows = execute(
    target,
    `UPDATE api_keys SET revoked_at = '${new Date().toISOString()}' WHERE id = '${arg}' AND revoked_at IS NULL RETURNING id`,
  );
  if (rows.length === 0) {
    console.error(`No active API key with id ${arg}`);
    process.exit(1);
  }
  console.log(`Revoked API key ${arg}.`);
} else {
  usage(`Unknown command ${JSON.stringify(command)}`);
}
