/** `swarmlab token create|ls|revoke` (admin) and `swarmlab whoami`: API tokens with roles, and who you are. */
import type { Command } from 'commander';
import { ROLES, type Role } from '../../api/index.js';
import { InvalidError } from '../../errors/index.js';
import { TokensClient } from '../../sdk/tokens.js';
import { printJson, table } from '../format.js';

const when = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 19));

function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new InvalidError(`--role: "${role}" is not ${ROLES.join(', ')}`, { details: { field: 'role' } });
  }
  return role as Role;
}

export function registerToken(program: Command): void {
  const token = program
    .command('token')
    .description('create, list and revoke API tokens (needs an admin token)');
  token
    .command('create')
    .description('create a token; its secret is printed once')
    .requiredOption('--name <name>', 'who or what it is for (1–64 of [A-Za-z0-9_.@-])')
    .requiredOption('--role <role>', `${ROLES.join(' | ')}`)
    .option('--json', 'print as JSON')
    .action(async (flags: { name: string; role: string; json?: boolean }) => {
      const t = await new TokensClient().create(flags.name, checkRole(flags.role));
      if (flags.json) return printJson(t);
      process.stdout.write(`${t.token}\n`);
      process.stderr.write(
        `token ${t.id} (${t.name}, ${t.role}): keep the secret above, it is not shown again\n`,
      );
    });
  token
    .command('ls')
    .description('list tokens, revoked ones too')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      const { tokens } = await new TokensClient().list();
      if (flags.json) return printJson(tokens);
      const rows = [['ID', 'NAME', 'ROLE', 'CREATED', 'BY', 'REVOKED']];
      for (const t of tokens) {
        rows.push([t.id, t.name, t.role, when(t.createdAt), t.createdBy, when(t.revokedAt)]);
      }
      process.stdout.write(table(rows));
    });
  token
    .command('revoke')
    .description('revoke a token at once')
    .argument('<id-or-name>', 'token id, or the name of an active token')
    .action(async (idOrName: string) => {
      const t = await new TokensClient().revoke(idOrName);
      process.stdout.write(`${t.id} ${t.name} revoked\n`);
    });
}

export function registerWhoami(program: Command): void {
  program
    .command('whoami')
    .description('the role and actor the manager takes your token for')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      const me = await new TokensClient().whoami();
      if (flags.json) return printJson(me);
      process.stdout.write(`${me.actor} (${me.role})\n`);
    });
}
