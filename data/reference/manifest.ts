// The reference data's manifest (data/reference/cms-hcc/manifest.json: each file's source,
// commit, licence and sha256) and the one reader of the files it lists, which checks every file
// against the sha256 the manifest records before anything parses it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ReferenceDataError } from '../errors.ts';

export interface ManifestFile {
  path: string;
  kind: string;
  models: string[];
  paymentYears: number[];
  sha256: string;
  source: { repository: string; commit: string; path: string; originalName: string; license: string };
}

/** The files of one CMS-HCC model version, by table (dxToCc by payment year). */
export interface ManifestModel {
  coefficientVersion: string;
  dxToCc: Record<string, string[]>;
  coefficients: string;
  hierarchies: string;
  labels: string;
  ageSexEdits: string[];
  interactions: string;
}

/** data/reference/cms-hcc/manifest.json. */
export interface Manifest {
  files: ManifestFile[];
  /** By model version (V24, V28). */
  models: Record<string, ManifestModel>;
  paymentFactors: string;
}

export const REFERENCE_DIR = fileURLToPath(new URL('./cms-hcc/', import.meta.url));

let manifestCache: Manifest | undefined;
const fileCache = new Map<string, string>();

/** The manifest, read once. */
export function loadManifest(): Manifest {
  if (manifestCache === undefined) {
    const path = join(REFERENCE_DIR, 'manifest.json');
    try {
      manifestCache = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    } catch (e) {
      throw new ReferenceDataError(`cannot read the reference manifest ${path}: ${(e as Error).message}`);
    }
  }
  return manifestCache;
}

/** Hex SHA-256, as manifest.json records it. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads a reference file listed in the manifest, checking its sha256. */
export function readReferenceFile(relPath: string): string {
  const cached = fileCache.get(relPath);
  if (cached !== undefined) return cached;
  const entry = loadManifest().files.find((f) => f.path === relPath);
  if (entry === undefined) throw new ReferenceDataError(`reference file ${relPath} is not in manifest.json`);
  const path = join(REFERENCE_DIR, relPath);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ReferenceDataError(`cannot read reference file ${path}: ${(e as Error).message}`);
  }
  const actual = sha256(bytes);
  if (actual !== entry.sha256) {
    throw new ReferenceDataError(`reference file ${relPath} has sha256 ${actual}, manifest.json expects ${entry.sha256}`);
  }
  const text = bytes.toString('utf8');
  fileCache.set(relPath, text);
  return text;
}
