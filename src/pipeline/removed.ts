/**
 * The fixed vocabulary of what an upload can hold that the stored image does
 * not (the stored WebP carries pixels only), in the order the image JSON
 * lists it.
 */
export const REMOVED_VOCABULARY = [
  'exif',
  'gps',
  'camera_serial',
  'maker_notes',
  'xmp',
  'iptc',
  'icc_profile',
  'comment',
  'text_chunks',
  'embedded_thumbnail',
  'extra_frames',
  'trailing_data',
] as const;

/** One entry of {@link REMOVED_VOCABULARY}. */
export type RemovedItem = (typeof REMOVED_VOCABULARY)[number];

/** The distinct items of `found`, in vocabulary order. */
export function inVocabularyOrder(found: Iterable<RemovedItem>): RemovedItem[] {
  const set = new Set(found);
  return REMOVED_VOCABULARY.filter((item) => set.has(item));
}
