import { createApp } from './app';
import { workerdCodecs } from './codecs/workerd';
import type { Env } from './env';

const app = createApp({ codecs: workerdCodecs });

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
