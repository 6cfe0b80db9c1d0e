import { arch, platform } from 'node:os';

/** The OS name as Go spells it (`linux`, `darwin`, `windows`), as in Alloy's `alloy_build_info`. */
export function goos(): string {
  const p = platform();
  return p === 'win32' ? 'windows' : p;
}

/** The CPU architecture as Go spells it (`amd64`, `arm64`, `386`, …). */
export function goarch(): string {
  const a = arch();
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}
