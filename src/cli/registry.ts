// Every CLI command, and how to find the one an argv names.
import { parseArgs } from 'node:util';
import type { Container } from '../container.js';
import { UsageError, type Command, type CommandResult } from './command.js';
import { clientCommands } from './commands/clients.js';
import { operationCommands } from './commands/operations.js';
import { auditCommands } from './commands/audit.js';
import { sandboxCommands } from './commands/sandbox.js';
import { lawfulAccessCommands } from './commands/lawful-access.js';
import { kekCommands } from './commands/kek.js';
import { citizenCommands } from './commands/citizens.js';
import { attesterCommands } from './commands/attesters.js';
import { operatorCommands } from './commands/operators.js';
import { logoutDeliveryCommands } from './commands/logout-deliveries.js';
import { withAuditContext } from '../services/audit-context.js';
import { invokerContext, localInvoker, type Invoker } from './invoker.js';

export const commands: Command[] = [...operationCommands, ...kekCommands, ...clientCommands, ...citizenCommands, ...sandboxCommands, ...attesterCommands, ...auditCommands, ...lawfulAccessCommands, ...operatorCommands, ...logoutDeliveryCommands];

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: cyberid <command> [options]   (same configuration as the server: DATABASE_URL, REDIS_URL, DATA_DIR, …)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'cyberid <command> --help shows the options of one command.',
    '',
  ].join('\n');
}

export function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  const matches = commands.filter((c) => {
    const words = c.name.split(' ');
    return words.every((word, i) => argv[i] === word);
  });
  const command = matches.sort((a, b) => b.name.length - a.name.length)[0];
  return command ? { command, rest: argv.slice(command.name.split(' ').length) } : undefined;
}

/**
 * Runs one command against a container: what the CLI does locally and the bridge remotely.
 * Every audit entry the command writes names the operating-system user and host (invoker.ts).
 */
export async function runCommand(container: Container, argv: string[], invoker: Partial<Invoker> = localInvoker()): Promise<CommandResult> {
  const found = findCommand(argv);
  if (!found) return { output: usage(), exitCode: 2 };
  const { command, rest } = found;
  if (rest.includes('--help')) return { output: `usage: cyberid ${command.usage}\n` };
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    return await withAuditContext(invokerContext(invoker), () => command.run(container, values, positionals));
  } catch (error) {
    const name = (error as Error).name;
    const problems = (error as { problems?: string[] }).problems;
    if (problems) return { output: `error: ${problems.join('\n       ')}\n`, exitCode: 1 };
    if (error instanceof UsageError || name === 'TypeError' && /option|argument/i.test((error as Error).message)) {
      return { output: `error: ${(error as Error).message}\nusage: cyberid ${command.usage}\n`, exitCode: 2 };
    }
    if ((error as { expose?: boolean }).expose) return { output: `error: ${(error as Error).message}\n`, exitCode: 1 };
    throw error;
  }
}
