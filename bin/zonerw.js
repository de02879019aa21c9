#!/usr/bin/env node
// Kept tiny: the CLI lives in src/cli.ts. Refuse an unsupported Node loudly instead of
// failing later with a syntax or import error.
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`zonerw: needs Node.js 20 or newer, this is ${process.versions.node}\n`);
  process.exit(1);
}
const { main } = await import('../dist/zonerw/cli.js');
// Exit as soon as the command is done: a run that stopped early (another run holds the lock)
// must not wait for probes still in flight. stdout and stderr are written synchronously on
// Linux (files, pipes, terminals), so nothing said is lost.
process.exit(await main(process.argv.slice(2), process.env));
