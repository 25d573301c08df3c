import { describe, expect, it } from 'vitest';
import { userIdForSubject } from '../../src/domain/users';

describe('userIdForSubject', () => {
  // Ids are stored in keys, rows and URLs, so the mapping must never change. The expected derived ids were
  // computed outside this code base: Python's `'h-' + base64.b32encode(hashlib.sha256(sub.encode()).digest())
  // .decode().lower()[:26]`.
  it.each([
    ['alice', 'alice'],
    ['A-Za-z0-9_-', 'A-Za-z0-9_-'],
    ['x'.repeat(64), 'x'.repeat(64)],
    ['auth0|64f1c0ffee0123456789abcd', 'h-4b55ck3xntic6ayimlmm77jpv7'],
    ['google-oauth2|118012345678901234567', 'h-5uufiqf7dbqnpqt2rkbwmmd273'],
    // Shaped like a derived id, so hashed too: it cannot take the id of the subject that hashes to it.
    ['h-aaaaaaaaaaaaaaaaaaaaaaaaaa', 'h-kfuzh3arxrwbrz5meilsltubs3'],
  ])('%j → %j', async (sub, id) => {
    expect(await userIdForSubject(sub)).toBe(id);
  });

  it('hashes a subject over 64 characters or with other characters, and refuses what is not printable ASCII', async () => {
    expect(await userIdForSubject('x'.repeat(65))).toMatch(/^h-[a-z2-7]{26}$/);
    expect(await userIdForSubject('a b')).toMatch(/^h-[a-z2-7]{26}$/);
    await expect(userIdForSubject('')).rejects.toThrow();
    await expect(userIdForSubject('x'.repeat(256))).rejects.toThrow();
    await expect(userIdForSubject('tab\there')).rejects.toThrow();
    await expect(userIdForSubject('é')).rejects.toThrow();
  });
});
