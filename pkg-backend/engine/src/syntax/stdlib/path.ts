/**
 * Go `path/filepath.Join` and `Clean` with '/' separators (Alloy's `file.path_join`). Windows volume
 * names are not handled: the engine targets Unix-like hosts.
 */

/** Go `filepath.Clean`: collapses slashes, `.` and `..` lexically; "" becomes ".". */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** Go `filepath.Join`: joins the non-empty elements with '/' and cleans; all empty gives "". */
export function joinPath(elems: string[]): string {
  const parts = elems.filter((e) => e !== '');
  if (parts.length === 0) return '';
  return cleanPath(parts.join('/'));
}
