export function greeting(): string {
  return 'Drop a kernel module (.ko, .ko.gz, .ko.xz, .ko.zst) to inspect it.';
}
