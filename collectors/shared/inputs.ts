import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CollectError } from '../types.ts';

export interface InputFile {
  /** The path as given (or `<stdin>`), used in error messages. */
  path: string;
  text: string;
}

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Expands files, folders (recursively, keeping files with one of `extensions`, in name order so runs
 * are reproducible) and `-` for stdin into texts. A missing path is an error: a typo must not look like
 * an empty estate, which completing the run would then retire.
 */
export async function readInputs(inputs: string[], extensions: string[], stdin?: NodeJS.ReadableStream): Promise<InputFile[]> {
  const out: InputFile[] = [];
  for (const input of inputs) {
    if (input === '-') {
      out.push({ path: '<stdin>', text: await readStdin(stdin) });
      continue;
    }
    const info = await stat(input).catch(() => undefined);
    if (!info) throw new CollectError('no such file or folder', input);
    if (info.isDirectory()) {
      for (const file of await listFiles(input, extensions)) out.push({ path: file, text: await readFile(file, 'utf8') });
    } else {
      out.push({ path: input, text: await readFile(input, 'utf8') });
    }
  }
  return out;
}

async function listFiles(dir: string, extensions: string[]): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p, extensions)));
    else if (e.isFile() && extensions.some((x) => e.name.toLowerCase().endsWith(x))) out.push(p);
  }
  return out;
}
