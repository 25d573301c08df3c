import type { ImageRecord } from '../db/images';

/** The public JSON of a stored image (snake_case, absolute URLs). */
export function imageJson(record: ImageRecord, baseUrl: string) {
  return {
    id: record.id,
    kind: record.kind,
    url: `${baseUrl}/media/${record.mainKey}`,
    thumb_url: `${baseUrl}/media/${record.thumbKey}`,
    width: record.width,
    height: record.height,
    bytes: record.bytes,
    thumb_width: record.thumbWidth,
    thumb_height: record.thumbHeight,
    thumb_bytes: record.thumbBytes,
    content_type: 'image/webp',
    original_format: record.originalFormat,
    original_bytes: record.originalBytes,
    created_at: record.createdAt,
  };
}
