#!/usr/bin/env node
// Kept tiny: the CLI lives in src/cli.ts. Refuse an unsupported Node loudly instead of
// failing later with a syntax or import error. The same versions as package.json's engines
// (">=20.19 <21 || >=22"): 21 is an odd release, out of support.
const [major, minor] = process.versions.node.split('.').map(Number);
if (!((major === 20 && minor >= 19) || major >= 22)) {
  process.stderr.write(`zonerw: needs Node.js 20.19 or a later 20.x, or 22 or newer; this is Node.js ${process.versions.node} (${process.execPath})\n`);
  process.exit(1);
}
const { main } = await import('../dist/zonerw/cli.js');
// Exit as soon as the command is done: a run that stopped early (another run holds the lock)
// must not wait for probes still in flight. stdout and stderr are written synchronously on
// Linux (files, pipes, terminals), so nothing said is lost.
process.exit(await main(process.argv.slice(2), process.env));
