// Decodes a dataset's image (a file beside the dataset, or the bytes the Hub's parquet export
// embeds) into the pixels a transformers.js image pipeline takes, once, outside every energy
// window: decoding a PNG costs about ten times the tiny fixture's inference. transformers.js
// (and sharp under it) is imported only when the first image is decoded, so loading a task
// module stays cheap.
import { readFile } from 'node:fs/promises';
import { errorCode, errorMessage } from '../util/errors.js';

/** Decoded pixels, as transformers.js's RawImage holds them; the pipeline takes it as is. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** Where an image comes from: a file, or encoded bytes (with the name the dataset gives them, if any). */
type ImageSource = { file: string } | { bytes: Uint8Array; name?: string | undefined };

/** Why an image could not be had: what to name in the message, and the reason. */
export class ImageError extends Error {
  constructor(
    readonly what: string,
    readonly reason: string,
  ) {
    super(`${what} ${reason}`);
  }
}

let rawImage: Promise<typeof import('@huggingface/transformers').RawImage> | undefined;

function loadRawImage(): Promise<typeof import('@huggingface/transformers').RawImage> {
  rawImage ??= import('@huggingface/transformers').then((m) => m.RawImage);
  return rawImage;
}

/** The image's pixels, or an ImageError naming the file (or the embedded image) and why. */
export async function decodeImage(source: ImageSource): Promise<DecodedImage> {
  const what = 'file' in source ? `image ${source.file}` : `embedded image${source.name ? ` ${source.name}` : ''}`;
  let bytes: Uint8Array;
  if ('file' in source) {
    try {
      bytes = await readFile(source.file);
    } catch (err) {
      throw new ImageError(what, `cannot be read (${errorCode(err)})`);
    }
  } else bytes = source.bytes;
  const RawImage = await loadRawImage();
  try {
    return await RawImage.fromBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  } catch (err) {
    throw new ImageError(what, `cannot be decoded (${errorMessage(err)})`);
  }
}
