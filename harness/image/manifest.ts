/** manifest.json of an image: what went in (package versions) and what came out (hashes). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { IMAGE_FILES } from './cache-paths.ts';
import type { ImageManifest } from './types.ts';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function artifact(dir: string, rel: string): Promise<{ path: string; sha256: string }> {
  return { path: rel, sha256: await sha256File(path.join(dir, rel)) };
}

export async function writeManifest(dir: string, manifest: ImageManifest): Promise<void> {
  await writeFile(path.join(dir, IMAGE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** undefined when there is no manifest: a directory without one is not a finished image. */
export async function readManifest(dir: string): Promise<ImageManifest | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, IMAGE_FILES.manifest), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as ImageManifest;
}
