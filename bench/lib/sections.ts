/** Sections of bench/RESULTS.md that tools other than `bench/run.ts` write and keep in place. */

export const SCALING_HEADING = '## Scaling of cost';

/** The `## heading` section of `md` (up to the next `## `), or undefined. */
export function findSection(md: string, heading: string): string | undefined {
  const start = md.indexOf(`${heading}\n`);
  if (start < 0 || (start > 0 && md[start - 1] !== '\n')) return undefined;
  const next = md.slice(start + heading.length).search(/\n## /);
  return next < 0 ? md.slice(start) : md.slice(start, start + heading.length + next + 1);
}

/** `md` with its `heading` section replaced by `section` (appended when there is none). */
export function replaceSection(md: string, heading: string, section: string): string {
  const body = section.trimEnd() + '\n';
  const old = findSection(md, heading);
  if (old === undefined) return (md ? md.trimEnd() + '\n\n' : '') + body;
  const tail = md.endsWith(old) ? '' : '\n';
  return md.replace(old, () => body + tail);
}
