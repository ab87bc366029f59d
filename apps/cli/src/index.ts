export async function main(_argv: string[], _argv0?: string): Promise<number> {
  return 0;
}
