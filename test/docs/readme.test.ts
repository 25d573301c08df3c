import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../src/lib/errors';

// The README is the public contract: its error table must be the code's table, code for code.

const README = join(import.meta.dirname, '..', '..', 'README.md');

async function readmeErrorTable(): Promise<Record<string, number>> {
  const text = await readFile(README, 'utf8');
  const section = text.slice(text.indexOf('### Error codes'));
  const table: Record<string, number> = {};
  for (const match of section.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/gm)) table[match[1]!] = Number(match[2]);
  return table;
}

describe('README', () => {
  it('lists exactly the codes and statuses of src/lib/errors.ts', async () => {
    expect(await readmeErrorTable()).toEqual({ ...ERROR_STATUS });
  });
});
