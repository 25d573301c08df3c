/** What an upload is for: it decides the key prefix and the row's kind. */
export type ImageKind = 'avatar' | 'image';

/** An image id, as a regular-expression source (storage keys embed it). */
export const IMAGE_ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Image ids are lowercase UUIDs (crypto.randomUUID()). */
export const IMAGE_ID_PATTERN = new RegExp(`^${IMAGE_ID}$`);
