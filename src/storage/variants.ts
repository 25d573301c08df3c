import { mainKeyOfVariant, variantListPrefix } from './keys';
import { deleteObjects } from './objects';

/** The stored size variants of the image whose main object is `mainKey` (one R2 listing). */
export async function listVariantKeys(bucket: R2Bucket, mainKey: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: variantListPrefix(mainKey), cursor });
    keys.push(...page.objects.map((o) => o.key).filter((key) => mainKeyOfVariant(key) === mainKey));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys;
}

/**
 * Every object of an image: main, thumbnail and its stored size variants.
 * @throws when the R2 listing fails.
 */
export async function imageObjectKeys(
  bucket: R2Bucket,
  image: { mainKey: string; thumbKey: string },
): Promise<string[]> {
  return [image.mainKey, image.thumbKey, ...(await listVariantKeys(bucket, image.mainKey))];
}

/**
 * Deletes an image's objects (main, thumbnail and every size variant) and
 * their edge cache entries, after its row is gone. Failures are logged: what
 * stays is an orphan the cleanup job removes (a variant whose image row is
 * gone is one too).
 */
export async function deleteImageObjects(
  bucket: R2Bucket,
  image: { mainKey: string; thumbKey: string },
): Promise<void> {
  let keys = [image.mainKey, image.thumbKey];
  try {
    keys = await imageObjectKeys(bucket, image);
  } catch (error) {
    console.error(
      JSON.stringify({
        message: 'R2 list failed; variants left for cleanup',
        key: image.mainKey,
        error: String(error),
      }),
    );
  }
  await deleteObjects(bucket, keys);
}
