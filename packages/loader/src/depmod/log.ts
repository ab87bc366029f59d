/**
 * depmod's messages. kmod prints them as `depmod: ERROR: …` (tools/log.c); the library hands each
 * to the caller with its level and lets it print. `fatal` is kmod's CRIT, after which kmod exits 1:
 * the library throws a LoaderError with the same text instead.
 */
export type DepmodLogLevel = 'error' | 'warning' | 'notice' | 'info' | 'debug';

/** Receives each message (with its trailing newline, as kmod formats it). */
export type DepmodLog = (level: DepmodLogLevel, message: string) => void;

/** Ignores everything. */
export const silentLog: DepmodLog = () => {};
