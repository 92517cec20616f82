// Types of build-inputs.js, which stays plain JavaScript: it runs before anything is compiled.
export declare const SOURCE_FOLDERS: readonly string[];
export declare const COPIED: readonly string[];
export declare const DIST: string;
export declare const STAMP: string;
export type BuildState = { state: 'current' } | { state: 'missing' } | { state: 'stale'; changed: string };
export declare function buildState(root: string): BuildState;
