import type { InputFile } from '../shared/inputs.ts';
import { parseYamlDocuments } from '../shared/yaml-source.ts';
import { readObjects, type K8sObject } from './objects.ts';

export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Every object in the given manifest files (multi-document YAML, JSON, `List` kinds). Throws CollectError. */
export function readManifests(files: InputFile[], warnings: string[]): K8sObject[] {
  const docs = files.flatMap((f) => parseYamlDocuments(f.text, f.path));
  return readObjects(docs, warnings);
}
