import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext, createScheduledController } from 'cloudflare:test';
import { createApp } from '../src/app';
import { runCleanup } from '../src/cleanup';
import { workerdCodecs } from '../src/codecs/workerd';
import worker from '../src/index';
import { encodePng } from './helpers/encoders';
import { withFaults, type FaultPlan } from './helpers/faults';
import { BASE, allKeys, expectError, keyOf, tokenFor, type ImageJson } from './helpers/api';
import { noise } from './fixtures/pixels';

const app = createApp({ codecs: workerdCodecs });

/** Uploads through the app with R2 and D1 wrapped to fail as planned. */
async function uploadWithFaults(path: string, userId: string, r2: FaultPlan, d1: FaultPlan, seed = 1) {
  const bucket = withFaults(env.IMAGES, r2);
  const db = withFaults(env.DB, d1);
  const request = new Request(`${BASE}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${await tokenFor(userId)}`, 'Content-Type': 'image/png' },
    body: await encodePng(noise(40, 30, seed)),
  });
  const response = await app.fetch(
    request,
    { ...env, IMAGES: bucket.binding, DB: db.binding },
    createExecutionContext(),
  );
  return { response, bucket, db };
}

async function userRows(userId: string) {
  const { results } = await env.DB.prepare('SELECT id FROM images WHERE owner_id = ?1')
    .bind(userId)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

const userKeys = async (userId: string) => (await allKeys()).filter((k) => k.split('/')[1] === userId);

/** Runs the cron handler as if it fired `hoursLater` hours from now. */
async function runCronHoursLater(hoursLater: number) {
  const controller = createScheduledController({
    scheduledTime: Date.now() + hoursLater * 3600_000,
    cron: '*/30 * * * *',
  });
  await worker.scheduled(controller, env);
}

describe('a failure between R2 and D1 leaves no row and no visible image', () => {
  it.each<[string, FaultPlan, FaultPlan]>([
    ['first R2 put', { put: [1] }, {}],
    ['second R2 put', { put: [2] }, {}],
    ['D1 batch', {}, { batch: [1] }],
  ])('%s fails → 503 storage_unavailable with Retry-After; written objects removed', async (name, r2, d1) => {
    const user = `fault-${name.replace(/\W+/g, '-')}`;
    const { response } = await uploadWithFaults('/images', user, r2, d1);
    expect(response.headers.get('Retry-After')).toMatch(/^\d+$/);
    await expectError(response, 503, 'storage_unavailable');
    expect(await userRows(user)).toEqual([]);
    expect(await userKeys(user)).toEqual([]);
  });

  it('a D1 batch that commits but answers an error → 201: the image is stored once, with its objects', async () => {
    const user = 'fault-lost-answer';
    const { response } = await uploadWithFaults('/images', user, {}, { 'batch:after': [1] });
    expect(response.status).toBe(201);
    const image = (await response.json()) as ImageJson;
    expect((await userRows(user)).length).toBe(1);
    expect(await userKeys(user)).toEqual([keyOf(image.url), keyOf(image.thumb_url)].sort());
  });

  it('when the clean-up delete fails too, the orphans are left for the cron, which removes them after the grace period', async () => {
    const user = 'fault-orphans';
    const { response } = await uploadWithFaults('/images', user, { delete: [1] }, { batch: [1] });
    await expectError(response, 503, 'storage_unavailable');
    expect(await userRows(user)).toEqual([]);
    const orphans = await userKeys(user);
    expect(orphans).toHaveLength(2);

    await runCronHoursLater(0); // within the grace period: an upload might still be in flight
    expect(await userKeys(user)).toEqual(orphans);
    await runCronHoursLater(2);
    expect(await userKeys(user)).toEqual([]);
  });

  it('the cleanup reports a row whose object went missing, and leaves the row', async () => {
    const user = 'fault-missing';
    const { response } = await uploadWithFaults('/images', user, {}, {});
    const image = (await response.json()) as ImageJson;
    await env.IMAGES.delete(keyOf(image.thumb_url));
    const report = await runCleanup(env.IMAGES, env.DB, { now: Date.now() + 3600_000, graceMs: 0 });
    expect(report.rowsMissingObjects).toContain(image.id);
    expect(await userRows(user)).toEqual([image.id]);
  });

  it('the cron leaves objects that have rows alone', async () => {
    const user = 'fault-keeps';
    const { response } = await uploadWithFaults('/images', user, {}, {});
    expect(response.status).toBe(201);
    const image = (await response.json()) as ImageJson;
    await runCronHoursLater(2);
    expect(await userKeys(user)).toEqual([keyOf(image.url), keyOf(image.thumb_url)].sort());
  });
});

describe('replaced avatars', () => {
  it('if removing the old objects fails, the new avatar still lands and the cron removes the old pair', async () => {
    const user = 'fault-avatar';
    const first = await uploadWithFaults('/users/me/avatar', user, {}, {}, 1);
    expect(first.response.status).toBe(201);
    const old = ((await first.response.json()) as { image: ImageJson }).image;

    const second = await uploadWithFaults('/users/me/avatar', user, { delete: [1] }, {}, 2);
    expect(second.response.status).toBe(201);
    const current = ((await second.response.json()) as { image: ImageJson }).image;
    expect(await userRows(user)).toEqual([current.id]);
    expect(await userKeys(user)).toContain(keyOf(old.url));

    await runCronHoursLater(2);
    expect(await userKeys(user)).toEqual([keyOf(current.url), keyOf(current.thumb_url)].sort());
  });

  it('if removing the old row fails, the cron removes the unpointed avatar row and its objects', async () => {
    const user = 'fault-avatar-row';
    const first = await uploadWithFaults('/users/me/avatar', user, {}, {}, 1);
    const old = ((await first.response.json()) as { image: ImageJson }).image;
    // Statements prepared by the second upload: record the user, insert image, point profile, then delete
    // stale avatars.
    const second = await uploadWithFaults('/users/me/avatar', user, {}, { prepare: [4] }, 2);
    expect(second.response.status).toBe(201);
    const current = ((await second.response.json()) as { image: ImageJson }).image;
    expect((await userRows(user)).sort()).toEqual([old.id, current.id].sort());

    await runCronHoursLater(0);
    expect(await userRows(user)).toEqual([current.id]);
    expect(await userKeys(user)).toEqual([keyOf(current.url), keyOf(current.thumb_url)].sort());
  });

  it('two concurrent avatar uploads end with the profile on one complete pair and the other pair gone', async () => {
    const user = 'racer';
    const token = await tokenFor(user);
    const send = async (seed: number) =>
      worker.fetch(
        new Request(`${BASE}/users/me/avatar`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png' },
          body: await encodePng(noise(50, 40, seed)),
        }),
        env,
        createExecutionContext(),
      );
    const responses = await Promise.all([send(1), send(2)]);
    expect(responses.map((r) => r.status)).toEqual([201, 201]);

    const pointer = await env.DB.prepare('SELECT avatar_image_id AS id FROM profiles WHERE user_id = ?1')
      .bind(user)
      .first<string>('id');
    expect(await userRows(user)).toEqual([pointer]);
    expect(await userKeys(user)).toEqual([`avatars/${user}/${pointer}.webp`, `avatars/${user}/${pointer}_thumb.webp`]);
  });
});
