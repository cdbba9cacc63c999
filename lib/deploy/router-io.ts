// What lib/deploy needs from a router connection. lib/ssh's session provides it;
// keeping the deploy steps on this interface keeps them readable and testable.
export type ExecOutcome = { exitCode: number; stdout: string; stderr: string };

export interface RouterIO {
  exec(argv: string[], opts?: { timeoutMs?: number }): Promise<ExecOutcome>;
  readFile(path: string): Promise<string | null>;
  uploadFile(file: { path: string; content: string; mode: number }): Promise<void>;
  removeFile(path: string): Promise<void>;
  ensureDir(path: string, mode: number): Promise<void>;
  readonly isAlive: boolean;
  close(): Promise<void> | void;
}
