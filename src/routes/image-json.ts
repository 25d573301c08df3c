import type { ImageRecord } from '../db/images';
import type { RemovedItem } from '../pipeline/removed';
import type { ImageJson } from './api-schemas';

/** The public JSON of a stored image (snake_case, absolute URLs: `mediaBase` + `/` + object key). */
export function imageJson(record: ImageRecord, mediaBase: string): ImageJson {
  return {
    id: record.id,
    kind: record.kind,
    url: `${mediaBase}/${record.mainKey}`,
    thumb_url: `${mediaBase}/${record.thumbKey}`,
    width: record.width,
    height: record.height,
    bytes: record.bytes,
    thumb_width: record.thumbWidth,
    thumb_height: record.thumbHeight,
    thumb_bytes: record.thumbBytes,
    content_type: 'image/webp',
    original_format: record.originalFormat,
    original_bytes: record.originalBytes,
    colour: { source: record.colourSource, converted: record.colourConverted },
    thumbhash: record.thumbhash,
    // The pipeline's vocabulary is all that is ever stored (db/images.ts).
    removed: record.removed as RemovedItem[],
    created_at: record.createdAt,
  };
}
