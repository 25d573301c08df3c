// @ts-check
// The demo page: choose or drop an image, upload it with a dev token or a
// direct-upload URL (with real progress from XMLHttpRequest), then show what
// the gateway stored. Plain modern JS, type-checked by `npm run typecheck`.
import { paintThumbHash } from './thumbhash.js';

/**
 * The image JSON the API returns (README, API). `thumbhash` and `removed` appear when the gateway provides them.
 * @typedef {{
 *   id: string, kind: string, url: string, thumb_url: string,
 *   width: number, height: number, bytes: number,
 *   thumb_width: number, thumb_height: number, thumb_bytes: number,
 *   content_type: string, original_format: string, original_bytes: number, created_at: string,
 *   thumbhash?: string, removed?: string[]
 * }} ImageJson
 * @typedef {{ code: string, message: string, requestId?: string }} ApiErrorBody
 */

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is missing`);
  return element;
}

const form = byId('upload-form', HTMLFormElement);
const tokenFields = byId('token-fields', HTMLDivElement);
const urlFields = byId('url-fields', HTMLDivElement);
const tokenInput = byId('token', HTMLInputElement);
const purposeSelect = byId('purpose', HTMLSelectElement);
const urlInput = byId('upload-url', HTMLInputElement);
const fileInput = byId('file', HTMLInputElement);
const dropZone = byId('drop-zone', HTMLLabelElement);
const preview = byId('preview', HTMLElement);
const previewImage = byId('preview-image', HTMLImageElement);
const previewCaption = byId('preview-caption', HTMLElement);
const submit = byId('submit', HTMLButtonElement);
const progress = byId('progress', HTMLProgressElement);
const progressText = byId('progress-text', HTMLOutputElement);
const errorBox = byId('error', HTMLDivElement);
const result = byId('result', HTMLElement);
const resultHeading = byId('result-heading', HTMLHeadingElement);
const placeholder = byId('placeholder', HTMLCanvasElement);
const thumbImage = byId('result-thumb', HTMLImageElement);
const mainImage = byId('result-main', HTMLImageElement);
const thumbCaption = byId('thumb-caption', HTMLElement);
const mainCaption = byId('main-caption', HTMLElement);
const facts = byId('facts', HTMLDListElement);
const removedBlock = byId('removed-block', HTMLDivElement);
const removedList = byId('removed', HTMLUListElement);

/** @type {File | undefined} */
let chosen;
/** @type {string | undefined} */
let previewUrl;

/** @param {number} bytes */
function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function mode() {
  const checked = form.querySelector('input[name="mode"]:checked');
  return checked instanceof HTMLInputElement && checked.value === 'url' ? 'url' : 'token';
}

function showMode() {
  const url = mode() === 'url';
  urlFields.hidden = !url;
  tokenFields.hidden = url;
}

/** @param {File} file */
function choose(file) {
  chosen = file;
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = URL.createObjectURL(file);
  previewImage.hidden = false;
  previewImage.src = previewUrl;
  previewCaption.textContent = `${file.name} · ${file.type || 'unknown type'} · ${formatBytes(file.size)}`;
  preview.hidden = false;
  clearError();
}

/** @param {ApiErrorBody} error */
function showError(error) {
  errorBox.replaceChildren();
  const code = document.createElement('code');
  code.textContent = error.code;
  const message = document.createElement('p');
  message.append(code, ` — ${error.message}`);
  errorBox.append(message);
  if (error.requestId) {
    const id = document.createElement('p');
    id.className = 'hint';
    id.textContent = `Request id: ${error.requestId}`;
    errorBox.append(id);
  }
  errorBox.hidden = false;
}

function clearError() {
  errorBox.hidden = true;
  errorBox.replaceChildren();
}

/**
 * The upload request for the current form: where to send it and which headers.
 * @returns {{ url: string, headers: Record<string, string> } | ApiErrorBody}
 */
function target() {
  if (mode() === 'url') {
    const value = urlInput.value.trim();
    let url;
    try {
      url = new URL(value, location.href);
    } catch {
      return { code: 'invalid_request', message: 'Paste the upload_url that POST /uploads returned' };
    }
    if (!/^\/uploads\/[^/]+$/.test(url.pathname)) {
      return { code: 'invalid_request', message: 'A direct-upload URL looks like …/uploads/<token>' };
    }
    return { url: url.href, headers: {} };
  }
  const token = tokenInput.value.trim();
  if (!token) return { code: 'unauthorized', message: 'Paste a dev token (npm run token -- alice)' };
  const path = purposeSelect.value === 'avatar' ? '/users/me/avatar' : '/images';
  return { url: path, headers: { Authorization: `Bearer ${token}` } };
}

/**
 * POSTs `file` as multipart with upload progress; resolves with the status and parsed JSON body.
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {File} file
 * @returns {Promise<{ status: number, body: unknown }>}
 */
function send(url, headers, file) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.round((event.loaded / event.total) * 100);
      progress.value = percent;
      progressText.value = `${percent}% (${formatBytes(event.loaded)} of ${formatBytes(event.total)})`;
    });
    xhr.upload.addEventListener('load', () => {
      progressText.value = 'Uploaded; processing…';
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: handled as an unexpected response below.
      }
      resolve({ status: xhr.status, body });
    });
    xhr.addEventListener('error', () => reject(new Error('The network request failed')));
    xhr.addEventListener('abort', () => reject(new Error('The upload was aborted')));
    const data = new FormData();
    data.set('file', file, file.name);
    xhr.send(data);
  });
}

/** @param {unknown} body */
function errorOf(body) {
  if (body && typeof body === 'object' && 'error' in body && body.error && typeof body.error === 'object') {
    const { code, message, requestId } = /** @type {Record<string, unknown>} */ (body.error);
    if (typeof code === 'string' && typeof message === 'string') {
      return { code, message, requestId: typeof requestId === 'string' ? requestId : undefined };
    }
  }
  return undefined;
}

/**
 * @param {string} term
 * @param {string} value
 */
function fact(term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  facts.append(dt, dd);
}

/** @param {ImageJson} image */
function showResult(image) {
  placeholder.hidden = true;
  if (typeof image.thumbhash === 'string' && image.thumbhash) {
    try {
      paintThumbHash(placeholder, image.thumbhash);
      placeholder.hidden = false;
    } catch {
      // A placeholder is a nicety; the thumbnail itself still loads.
    }
  }
  // The placeholder is painted first; the thumbnail covers it once decoded.
  thumbImage.width = image.thumb_width;
  thumbImage.height = image.thumb_height;
  thumbImage.addEventListener('load', () => (placeholder.hidden = true), { once: true });
  thumbImage.src = image.thumb_url;
  mainImage.width = image.width;
  mainImage.height = image.height;
  mainImage.src = image.url;
  thumbCaption.textContent = `Thumbnail: ${image.thumb_width}×${image.thumb_height}, ${formatBytes(image.thumb_bytes)}`;
  mainCaption.textContent = `Main image: ${image.width}×${image.height}, ${formatBytes(image.bytes)}`;

  facts.replaceChildren();
  fact('Stored as', image.content_type);
  fact('Original', `${image.original_format.toUpperCase()}, ${formatBytes(image.original_bytes)}`);
  fact(
    'Saved',
    `${Math.max(0, Math.round((1 - (image.bytes + image.thumb_bytes) / image.original_bytes) * 100))}% smaller than the original, thumbnail included`,
  );
  fact('Kind', image.kind);
  fact('Id', image.id);

  removedList.replaceChildren();
  const removed = Array.isArray(image.removed) ? image.removed : undefined;
  removedBlock.hidden = removed === undefined;
  if (removed) {
    if (removed.length === 0) removed.push('nothing: the original held no metadata');
    for (const item of removed) {
      const li = document.createElement('li');
      li.textContent = String(item);
      removedList.append(li);
    }
  }
  result.hidden = false;
  resultHeading.focus();
}

/** @param {SubmitEvent} event */
async function upload(event) {
  event.preventDefault();
  clearError();
  if (!chosen) {
    showError({ code: 'invalid_request', message: 'Choose an image first' });
    fileInput.focus();
    return;
  }
  const request = target();
  if ('code' in request) {
    showError(request);
    (mode() === 'url' ? urlInput : tokenInput).focus();
    return;
  }
  submit.disabled = true;
  result.hidden = true;
  progress.value = 0;
  progressText.value = 'Starting…';
  try {
    const { status, body } = await send(request.url, request.headers, chosen);
    if (status === 201 && body && typeof body === 'object') {
      progressText.value = 'Done';
      const image = 'image' in body ? body.image : body;
      showResult(/** @type {ImageJson} */ (image));
    } else {
      progressText.value = 'Failed';
      showError(errorOf(body) ?? { code: `http_${status}`, message: 'The gateway answered unexpectedly' });
    }
  } catch (error) {
    progressText.value = 'Failed';
    showError({ code: 'network_error', message: error instanceof Error ? error.message : String(error) });
  } finally {
    submit.disabled = false;
  }
}

for (const radio of form.querySelectorAll('input[name="mode"]')) radio.addEventListener('change', showMode);
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) choose(file);
});
previewImage.addEventListener('error', () => {
  // Not something the browser can show (or not an image at all): the gateway will say what it is.
  previewImage.hidden = true;
});
for (const type of ['dragenter', 'dragover']) {
  dropZone.addEventListener(type, (event) => {
    event.preventDefault();
    dropZone.classList.add('dragging');
  });
}
for (const type of ['dragleave', 'drop']) dropZone.addEventListener(type, () => dropZone.classList.remove('dragging'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  const file = event.dataTransfer?.files[0];
  if (file) choose(file);
});
form.addEventListener('submit', (event) => void upload(event));
showMode();
/** A link to the page with `#upload_url=…` (a site's backend can send people straight here) selects that mode. */
function readHash() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('upload_url');
  if (!fromHash) return;
  urlInput.value = fromHash;
  byId('mode-url', HTMLInputElement).checked = true;
  showMode();
}
window.addEventListener('hashchange', readHash);
readHash();
