// Kept so that bench files written before the generator moved still import it;
// new code imports test/fixtures/photo.ts.
export { photo, type Picture, type PhotoOptions } from '../test/fixtures/photo';
