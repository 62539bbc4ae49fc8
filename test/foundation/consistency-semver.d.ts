// The two functions of semver (a devDependency without bundled types) the consistency checks use.
declare module 'semver' {
  /** The normalised version, or null when `version` is not one. */
  export function valid(version: string): string | null;
  /** Whether `version` is in `range` (npm's range syntax, e.g. ">=13.2.0"). */
  export function satisfies(version: string, range: string): boolean;
}
