// What a CLI command is: a name, its options (node:util parseArgs), and a function of the
// container. Commands return their output instead of printing it, so the same command runs
// in the CLI process or, for the embedded store, inside the running server (cli/bridge.ts).
import type { ParseArgsConfig } from 'node:util';
import type { Container } from '../container.js';

export type CommandResult = { output: string; exitCode?: number };

export type Command = {
  /** e.g. "client add" */
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(container: Container, values: Record<string, string | boolean | Array<string | boolean> | undefined>, positionals: string[]): Promise<CommandResult>;
};

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function requireString(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || !value) throw new UsageError(`--${name} is required`);
  return value;
}

export function stringList(values: Record<string, unknown>, name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
